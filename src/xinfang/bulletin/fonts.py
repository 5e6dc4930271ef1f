"""Compact copies of the two CJK faces, so that each bulletin subsets a small font.

WeasyPrint subsets every embedded face for every document. From a 65,535-glyph Noto CJK face
that costs ~0.05 s and leaves a 0.8 MB stream to compress; from a ~8,000-glyph copy holding
GB 2312 and every character of the reference data it costs a third of that. The copies are made
once per machine with HarfBuzz's subsetter (the library WeasyPrint already needs), cached in the
temporary directory, and declared with ``@font-face`` as "Xinfang Serif" and "Xinfang Sans"
(fontconfig would prefer the installed face under its own name). The stylesheet and the charts
name the copy first and the installed face second, so a character the copy lacks falls back to
the full face, and a machine without the faces still renders.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from functools import cache
from pathlib import Path

import cffi

from xinfang.reference import SEEDS

#: (compact family, installed family, CSS weight, fontconfig style) of each face the bulletin uses.
FACES = (
    ("Xinfang Serif", "Noto Serif CJK SC", "normal", "Regular"),
    ("Xinfang Sans", "Noto Sans CJK SC", "bold", "Bold"),
)


def families(installed: str) -> str:
    """A CSS font-family list: the compact copy of ``installed``, then ``installed`` itself."""
    compact = next(c for c, i, _, _ in FACES if i == installed)
    return f"'{compact}', '{installed}'"


#: Bump to rebuild every cached copy (the character set changed).
VERSION = "1"

_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
hb_blob_t *hb_blob_create_from_file (const char *file_name);
void hb_blob_destroy (hb_blob_t *blob);
const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
void hb_face_destroy (hb_face_t *face);
hb_blob_t *hb_face_reference_blob (hb_face_t *face);
void hb_set_add_range (hb_set_t *set, uint32_t first, uint32_t last);
void hb_set_add (hb_set_t *set, uint32_t codepoint);
hb_subset_input_t *hb_subset_input_create_or_fail (void);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_set_t *hb_subset_input_unicode_set (hb_subset_input_t *input);
hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
"""

#: Unicode blocks kept whole: Latin, punctuation, arrows, enclosed numbers, shapes, CJK symbols,
#: full-width forms.
RANGES = (
    (0x0020, 0x024F), (0x2000, 0x206F), (0x2100, 0x21FF), (0x2460, 0x24FF),
    (0x2500, 0x25FF), (0x3000, 0x303F), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
)  # fmt: skip


def characters() -> set[str]:
    """GB 2312, and every character of the reference data (unit names, classes, periods)."""
    chars = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    for seed in sorted(SEEDS.glob("*.csv")):
        chars.update(seed.read_text(encoding="utf-8"))
    return {c for c in chars if c.isprintable()}


def _source(family: str, style: str) -> tuple[Path, int] | None:
    """The installed font file and face index fontconfig gives for the face."""
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}\t%{index}\t%{family}", f"{family}:style={style}"],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return None
    path, index, families = out.split("\t")
    return (Path(path), int(index)) if family in families.split(",") else None


def _subset(source: Path, index: int, chars: set[str]) -> bytes:
    ffi = cffi.FFI()
    ffi.cdef(_CDEF)
    hb = ffi.dlopen("libharfbuzz.so.0")
    hb_subset = ffi.dlopen("libharfbuzz-subset.so.0")
    blob = hb.hb_blob_create_from_file(str(source).encode())
    face = hb.hb_face_create(blob, index)
    request = hb_subset.hb_subset_input_create_or_fail()
    try:
        unicodes = hb_subset.hb_subset_input_unicode_set(request)
        for first, last in RANGES:
            hb.hb_set_add_range(unicodes, first, last)
        for char in chars:
            hb.hb_set_add(unicodes, ord(char))
        compact = hb_subset.hb_subset_or_fail(face, request)
        if compact == ffi.NULL:
            raise RuntimeError(f"HarfBuzz could not subset {source}")
        out = hb.hb_face_reference_blob(compact)
        length = ffi.new("unsigned int *")
        data = ffi.unpack(hb.hb_blob_get_data(out, length), length[0])
        hb.hb_blob_destroy(out)
        hb.hb_face_destroy(compact)
        return data
    finally:
        hb_subset.hb_subset_input_destroy(request)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


def compact_face(family: str, style: str, folder: Path) -> Path | None:
    """The cached compact copy of the face, made on first use; None if the face is missing."""
    found = _source(family, style)
    if found is None:
        return None
    source, index = found
    stat = source.stat()
    key = f"{VERSION}|{source}|{index}|{stat.st_size}|{stat.st_mtime_ns}"
    path = folder / f"{hashlib.sha256(key.encode()).hexdigest()[:16]}.otf"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(_subset(source, index, characters()))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)  # another process may have made the same file: same bytes
    return path


@cache
def font_face_css(folder: Path | None = None) -> str:
    """``@font-face`` rules declaring the compact copies."""
    folder = folder or Path(tempfile.gettempdir()) / "xinfang-fonts"
    rules = []
    for compact, installed, weight, style in FACES:
        path = compact_face(installed, style, folder)
        if path is not None:
            rules.append(
                f'@font-face {{ font-family: "{compact}"; font-weight: {weight}; '
                f'src: url("{path.as_uri()}"); }}'
            )
    return "\n".join(rules)
