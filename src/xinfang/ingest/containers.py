"""What a file really is, from its bytes: xlsx (a zip), xls (an OLE compound file) or CSV.

Decided before any reader inflates or parses it: a zip's central directory is checked for its
declared uncompressed size and ratio (zip bombs), an OLE file for the streams of an encrypted
Office document. The extension only has to be one of ``.xlsx``, ``.xls``, ``.csv``.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Literal

import olefile

from xinfang.ingest.guard import Refusal
from xinfang.ingest.limits import MB, Limits

Format = Literal["xlsx", "xls", "csv"]

SUFFIXES = (".xlsx", ".xls", ".csv")
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Streams of an encrypted OOXML file (ECMA-376 agile/standard encryption, [MS-OFFCRYPTO]).
_ENCRYPTED_STREAMS = ("EncryptionInfo", "EncryptedPackage")
#: BIFF record of an encrypted .xls workbook's globals.
_FILEPASS = 0x002F


def _zip(data: bytes, limits: Limits) -> Format | Refusal:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = zf.infolist()
            names = {m.filename for m in members}
    except (zipfile.BadZipFile, ValueError, OSError):
        return Refusal("file.unreadable")
    declared = sum(m.file_size for m in members)
    compressed = max(1, sum(m.compress_size for m in members))
    ratio = declared / compressed
    if declared > limits.max_uncompressed_bytes or (
        declared >= limits.ratio_floor_bytes and ratio > limits.max_ratio
    ):
        return Refusal(
            "file.zip_bomb", {"uncompressed_mb": f"{declared / MB:.0f}", "ratio": f"{ratio:.0f}"}
        )
    return "xlsx" if "xl/workbook.xml" in names else Refusal("file.unreadable")


def workbook_stream(ole: olefile.OleFileIO) -> bytes | None:
    """The BIFF workbook stream of an .xls file (``Workbook``; ``Book`` before Excel 97)."""
    for name in ("Workbook", "Book"):
        if ole.exists(name):
            return ole.openstream(name).read()
    return None


def biff_records(stream: bytes, start: int = 0) -> Iterator[tuple[int, int, bytes]]:
    """(offset, record type, payload) of each BIFF record from ``start``."""
    pos = start
    while pos + 4 <= len(stream):
        kind = int.from_bytes(stream[pos : pos + 2], "little")
        size = int.from_bytes(stream[pos + 2 : pos + 4], "little")
        yield pos, kind, stream[pos + 4 : pos + 4 + size]
        pos += 4 + size


def _xls_encrypted(stream: bytes) -> bool:
    """FILEPASS in the globals substream (before its EOF record)."""
    for _, kind, _payload in biff_records(stream):
        if kind == _FILEPASS:
            return True
        if kind == 0x000A:  # EOF of the globals
            return False
    return False


def _ole(data: bytes) -> Format | Refusal:
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            if all(ole.exists(name) for name in _ENCRYPTED_STREAMS):
                return Refusal("file.encrypted")
            stream = workbook_stream(ole)
    except (OSError, ValueError, IndexError):
        return Refusal("file.unreadable")
    if stream is None:
        return Refusal("file.unreadable")
    return Refusal("file.encrypted") if _xls_encrypted(stream) else "xls"


def sniff(data: bytes, file_name: str, limits: Limits) -> Format | Refusal:
    """The file's format, or why it is refused before reading."""
    if not file_name.lower().endswith(SUFFIXES):
        return Refusal("file.unsupported")
    if data.startswith(_ZIP):
        return _zip(data, limits)
    if data.startswith(_OLE):
        return _ole(data)
    if file_name.lower().endswith(".csv"):
        return "csv"
    return Refusal("file.unreadable")
