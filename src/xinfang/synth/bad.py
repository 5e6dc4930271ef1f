"""Bad submissions: each a separate file with one intended fault, arriving after the unit's good
snapshots (so it would supersede them if it were wrongly accepted).

Ledger-shaped bad files are otherwise valid and small (``SMALL_ROWS`` rows), so that only the
intended fault can trigger. The kinds and their manifest names are ``BAD_KINDS``.
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from msoffcrypto.format.ooxml import OOXMLFile
from msoffcrypto.method import ecma376_agile
from msoffcrypto.method.container import ecma376_encrypted

from xinfang.reference import Unit, units
from xinfang.schema import LEDGERS
from xinfang.synth.context import UnitContext
from xinfang.synth.frame import Frame, take
from xinfang.synth.manifest import Problem
from xinfang.synth.naming import SAMPLE_MARK, file_name, titles
from xinfang.synth.render import Formula, Rendered, Sheet, column_letter, render
from xinfang.synth.style import FileStyle, Layout
from xinfang.synth.writers import encode

BAD_KINDS = (
    "unreadable", "encrypted", "empty", "truncated", "unknown_header", "unknown_unit",
    "oversized", "zip_bomb", "formula", "invalid_date", "duplicate_key", "negative_persons",
    "path_traversal", "symlink",
)  # fmt: skip
#: How a clerk names a re-sent file; one suffix per bad kind keeps the names apart.
SUFFIXES = ("（最终版）", "（修改版）", "（补报）", "（更正）", "-副本", "（1）", "（2）", "（新）",
            "（定稿）", "（核对后）", "（重报）", "（终稿）", "（汇总）", "（备份）")  # fmt: skip
SMALL_ROWS = 30
PASSWORD = "123456"
OVERSIZED_BYTES = 101 * 2**20  # over ingestion's default XINFANG_MAX_FILE_MB=100
BOMB_BYTES = 2**30
TRAVERSAL_NAME = "..\\..\\..\\Windows\\System32\\台账.csv"
OUTSIDE_DIR = "outside"  # under the manifest directory: the symlink's target
PLAIN = FileStyle(
    format="csv", encoding="utf-8", title_rows=1, merged_title=False, blank_before_header=False,
    header_breaks=False, total_row=False, blank_rows=0, dates=("iso",), date_mix=0.0,
    bools="yes_no", enum_alias_rate=0.0, fullwidth_rate=0.0, padding_rate=0.0,
    second_sheet=False, instructions_first=False, drop_closed=False,
)  # fmt: skip


@dataclass(frozen=True)
class BadPlan:
    kind: str
    unit: Unit
    arrival: datetime
    suffix: str


@dataclass
class Source:
    """What a unit's bad files are made of: its last snapshot and its templates."""

    ctx: UnitContext
    frames: dict[str, Frame]
    layouts: dict[str, Layout]
    name_pattern: int


@dataclass
class Written:
    folder: str
    name: str
    ledger: str | None
    fmt: str
    encoding: str | None
    rows: int
    data: bytes | None  # None: the writer made the file (sparse, streamed, symlink) itself
    fault: Problem | None = None
    note: str | None = None
    header_row: int | None = None  # Excel row of the header, for ledger-shaped files
    sheet: str | None = None


def _small(
    src: Source, kind: str, fmt: str, rng: np.random.Generator, unit_name: str = ""
) -> Rendered:
    """The first ``SMALL_ROWS`` rows of the unit's last snapshot, plainly written."""
    frame = src.frames[kind]
    rows = take(frame, np.arange(min(SMALL_ROWS, len(frame[LEDGERS[kind].key]))))
    style = replace(PLAIN, format=fmt, encoding="utf-8" if fmt == "csv" else None)
    window = src.ctx.window
    return render(
        rows,
        src.layouts[kind],
        style,
        titles(unit_name or src.ctx.unit.name, kind, window, window.end, False),
        "Sheet1",
        rng,
    )


def _bytes(r: Rendered, fmt: str, src: Source) -> bytes:
    created = datetime.combine(src.ctx.window.end, datetime.min.time())
    return encode(r.sheets, fmt, "utf-8", author=f"{src.ctx.unit.name}信访局", created=created)


def _name(src: Source, plan: BadPlan, kind: str, fmt: str) -> str:
    return file_name(src.name_pattern, src.ctx.unit, kind, src.ctx.window.end, fmt, plan.suffix)


def _set_cell(
    r: Rendered, layout: Layout, row: int, field: str, value: object, rule: str
) -> Problem:
    """Overwrite the cell of ``field`` in the ``row``-th data row; name it as a clerk sees it."""
    col = [c.field for c in layout.columns].index(field)
    excel_row = int(r.source_rows[row])
    row = list(r.sheets[0].rows[excel_row - 1])
    row[col] = value
    r.sheets[0].rows[excel_row - 1] = row
    shown = "=" + value.text if isinstance(value, Formula) else str(value)
    return Problem(excel_row, layout.columns[col].header, shown, rule)


def _ledger_file(
    src: Source,
    plan: BadPlan,
    kind: str,
    fmt: str,
    rng: np.random.Generator,
    fault: Callable[[Rendered, Layout], Problem] | None = None,
    folder: str | None = None,
    name: str | None = None,
    unit_name: str = "",
) -> Written:
    r = _small(src, kind, fmt, rng, unit_name)
    problem = fault(r, src.layouts[kind]) if fault else None
    return Written(
        folder or src.ctx.unit.code,
        name or _name(src, plan, kind, fmt),
        kind,
        fmt,
        "utf-8" if fmt == "csv" else None,
        len(r.source_rows),
        _bytes(r, fmt, src),
        problem,
        header_row=r.header_row,
        sheet=None if fmt == "csv" else r.sheet,
    )


@contextmanager
def _deterministic_encryption(rng: np.random.Generator, when: datetime) -> Iterator[None]:
    """msoffcrypto draws salts and keys from ``secrets`` and stamps the OLE directory with the
    current time; draw from ``rng`` and stamp ``when`` instead, so the same seed gives the same
    encrypted bytes."""
    random_buffer, filetime = ecma376_agile._random_buffer, ecma376_encrypted.datetime2filetime
    ecma376_agile._random_buffer = rng.bytes
    ecma376_encrypted.datetime2filetime = lambda _now: filetime(when)
    try:
        yield
    finally:
        ecma376_agile._random_buffer = random_buffer
        ecma376_encrypted.datetime2filetime = filetime


def encrypt(xlsx: bytes, password: str, rng: np.random.Generator, when: datetime) -> bytes:
    out = io.BytesIO()
    with _deterministic_encryption(rng, when):
        OOXMLFile(io.BytesIO(xlsx)).encrypt(password, out)
    return out.getvalue()


def write_zip_bomb(path: Path, size: int = BOMB_BYTES, chunk: int = 2**24) -> None:
    """A zip whose one entry (an xlsx worksheet part) inflates to ``size`` zero bytes.

    After a full flush deflate restarts from an empty window, so every chunk of zeros compresses
    to the same block: the stream is that block repeated, written without deflating 1 GiB."""
    zeros = bytes(chunk)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = comp.flush()
    count = size // chunk
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(zeros, crc)
    entry = b"xl/worksheets/sheet1.xml"
    packed = count * len(block) + len(tail)
    dos_date = (0 << 9) | (1 << 5) | 1  # 1980-01-01
    with path.open("wb") as fh:
        fh.write(
            struct.pack(
                "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, dos_date, crc, packed, size, len(entry), 0
            )
            + entry
        )
        for _ in range(count):
            fh.write(block)
        fh.write(tail)
        offset = fh.tell()
        central = (
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                dos_date,
                crc,
                packed,
                size,
                len(entry),
                0,
                0,
                0,
                0,
                0,
                0,
            )
            + entry
        )
        fh.write(central)
        fh.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), offset, 0))


def unknown_unit_code(prefecture_code: str) -> str:
    """A code in the prefecture's range that GB/T 2260 does not have (``410899`` for 焦作)."""
    known = units()
    return next(
        c for c in (f"{prefecture_code[:4]}{i:02d}" for i in range(99, 70, -1)) if c not in known
    )


def _unreadable(src: Source, plan: BadPlan, rng: np.random.Generator) -> Written:
    data = rng.bytes(int(rng.integers(4096, 16384)))
    return Written(
        src.ctx.unit.code,
        _name(src, plan, "petitions", "xlsx"),
        None,
        "xlsx",
        None,
        0,
        data,
        note="random bytes",
    )


def _encrypted(src: Source, plan: BadPlan, rng: np.random.Generator) -> Written:
    w = _ledger_file(src, plan, "petitions", "xlsx", rng)
    when = datetime.combine(src.ctx.window.end, datetime.min.time())
    w.data = encrypt(w.data or b"", PASSWORD, rng, when)
    w.note = f"OOXML agile encryption, password {PASSWORD}; the ledger inside is valid"
    return w


def _empty(src: Source, plan: BadPlan, rng: np.random.Generator) -> Written:
    return Written(
        src.ctx.unit.code,
        _name(src, plan, "petitions", "xlsx"),
        None,
        "xlsx",
        None,
        0,
        b"",
        note="0 bytes",
    )


def _truncated(src: Source, plan: BadPlan, rng: np.random.Generator) -> Written:
    w = _ledger_file(src, plan, "risks", "xlsx", rng)
    w.data = (w.data or b"")[: len(w.data or b"") // 2]
    w.ledger, w.rows, w.header_row, w.sheet = None, 0, None, None
    w.note = "xlsx cut in half"
    return w


def _unknown_header(src: Source, plan: BadPlan, rng: np.random.Generator) -> Written:
    header = [
        "序号",
        "物品名称",
        "规格型号",
        "单位",
        "数量",
        "单价（元）",
        "金额（元）",
        "领用部门",
    ]
    goods = [("A4复印纸", "70g", "箱"), ("中性笔", "0.5mm", "盒"), ("文件盒", "55mm", "个"),
             ("订书钉", "24/6", "盒"), ("墨盒", "HP803", "个")]  # fmt: skip
    rows: list[list] = [[f"{src.ctx.unit.name}信访局办公用品领用登记表{SAMPLE_MARK}"], header]
    for i in range(SMALL_ROWS):
        item, spec, unit = goods[i % len(goods)]
        qty, price = int(rng.integers(1, 20)), float(rng.integers(5, 80))
        rows.append([i + 1, item, spec, unit, qty, price, qty * price, "办公室"])
    sheet = Sheet("Sheet1", rows, (0,), 1)
    created = datetime.combine(src.ctx.window.end, datetime.min.time())
    data = encode([sheet], "xlsx", None, author=f"{src.ctx.unit.name}信访局", created=created)
    return Written(
        src.ctx.unit.code,
        f"{src.ctx.unit.name}办公用品领用登记表{plan.suffix}.xlsx",
        None,
        "xlsx",
        None,
        SMALL_ROWS,
        data,
        note="no ledger header",
        sheet="Sheet1",
    )


def _unknown_unit(src: Source, plan: BadPlan, rng: np.random.Generator) -> Written:
    code = unknown_unit_code(src.ctx.unit.prefecture_code)
    name = f"{src.ctx.unit.prefecture_name}城乡一体化示范区"
    w = _ledger_file(
        src,
        plan,
        "petitions",
        "csv",
        rng,
        folder=code,
        unit_name=name,
        name=f"{name}{LEDGERS['petitions'].title}{plan.suffix}.csv",
    )
    w.note = f"{code} is no GB/T 2260 county-level unit"
    return w


def _oversized(src: Source, plan: BadPlan, rng: np.random.Generator) -> Written:
    w = _ledger_file(src, plan, "petitions", "csv", rng)
    w.note = f"a valid CSV extended with NUL bytes to {OVERSIZED_BYTES} bytes (sparse)"
    return w


def _zip_bomb(src: Source, plan: BadPlan, rng: np.random.Generator) -> Written:
    return Written(
        src.ctx.unit.code,
        _name(src, plan, "petitions", "xlsx"),
        None,
        "xlsx",
        None,
        0,
        None,
        note=f"one zip entry inflating to {BOMB_BYTES} zero bytes",
    )


def _formula(src: Source, plan: BadPlan, rng: np.random.Generator) -> Written:
    def fault(r: Rendered, layout: Layout) -> Problem:
        col = [c.field for c in layout.columns].index("persons")
        above = int(r.source_rows[4])
        value = Formula(
            f"{column_letter(col)}{above}+1", float(src.frames["petitions"]["persons"][4] + 1)
        )
        return _set_cell(r, layout, 5, "persons", value, "cell.formula")

    return _ledger_file(src, plan, "petitions", "xlsx", rng, fault)


def _invalid_date(src: Source, plan: BadPlan, rng: np.random.Generator) -> Written:
    def fault(r: Rendered, layout: Layout) -> Problem:
        return _set_cell(r, layout, 7, "registered_on", "2025-02-30", "date.invalid")

    return _ledger_file(src, plan, "petitions", "csv", rng, fault)


def _duplicate_key(src: Source, plan: BadPlan, rng: np.random.Generator) -> Written:
    key = LEDGERS["risks"].key

    def fault(r: Rendered, layout: Layout) -> Problem:
        return _set_cell(r, layout, 12, key, src.frames["risks"][key][3], "key.duplicate")

    return _ledger_file(src, plan, "risks", "xlsx", rng, fault)


def _negative_persons(src: Source, plan: BadPlan, rng: np.random.Generator) -> Written:
    def fault(r: Rendered, layout: Layout) -> Problem:
        return _set_cell(r, layout, 9, "persons", -3, "persons.not_positive")

    return _ledger_file(src, plan, "petitions", "xls", rng, fault)


def _path_traversal(src: Source, plan: BadPlan, rng: np.random.Generator) -> Written:
    w = _ledger_file(src, plan, "backlog", "csv", rng, name=TRAVERSAL_NAME)
    w.note = r"file name with ..\ path components"
    return w


def _symlink(src: Source, plan: BadPlan, rng: np.random.Generator) -> Written:
    w = _ledger_file(src, plan, "risks", "csv", rng)
    w.note = f"symbolic link to <manifest>/{OUTSIDE_DIR}/{w.name}, outside the inbox"
    return w


WRITERS: dict[str, Callable[[Source, BadPlan, np.random.Generator], Written]] = {
    "unreadable": _unreadable, "encrypted": _encrypted, "empty": _empty,
    "truncated": _truncated, "unknown_header": _unknown_header, "unknown_unit": _unknown_unit,
    "oversized": _oversized, "zip_bomb": _zip_bomb, "formula": _formula,
    "invalid_date": _invalid_date, "duplicate_key": _duplicate_key,
    "negative_persons": _negative_persons, "path_traversal": _path_traversal,
    "symlink": _symlink,
}  # fmt: skip


def plan_bad(unit_list: list[Unit], last_night: datetime) -> list[BadPlan]:
    """One file of each kind, spread over the units, arriving from 02:00 on the last night
    (after every good snapshot, which arrive by 01:30)."""
    start = last_night.replace(hour=2, minute=0, second=0)
    return [
        BadPlan(kind, unit_list[i % len(unit_list)], start + timedelta(seconds=97 * i), SUFFIXES[i])
        for i, kind in enumerate(BAD_KINDS)
    ]


def materialise(w: Written, plan: BadPlan, inbox: Path, manifest_dir: Path) -> Path:
    """Put the file in the inbox (sparse, streamed or linked where the kind needs it)."""
    folder = inbox / w.folder
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / w.name
    if plan.kind == "zip_bomb":
        write_zip_bomb(path)
    elif plan.kind == "symlink":
        target = manifest_dir.resolve() / OUTSIDE_DIR / w.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(w.data or b"")
        touch(target, plan.arrival)
        if path.is_symlink() or path.exists():
            path.unlink()
        path.symlink_to(target)
    else:
        path.write_bytes(w.data or b"")
        if plan.kind == "oversized":
            os.truncate(path, OVERSIZED_BYTES)
    touch(path, plan.arrival)
    return path


def touch(path: Path, when: datetime) -> None:
    """Set the arrival time as the file's mtime (of a symlink itself, not its target)."""
    ns = int(when.timestamp()) * 10**9
    os.utime(path, ns=(ns, ns), follow_symlinks=False)
