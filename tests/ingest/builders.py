"""Small ledger files for ingestion tests, written the way clerks' tools write them."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import xlsxwriter
import xlwt

from xinfang.config import Settings
from xinfang.ingest.run import Result, ingest_inbox

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: Files "arrive" at this time unless a test says otherwise (the submission date 2025-03-01).
RECEIVED = datetime(2025, 3, 1, 9, 30, tzinfo=SHANGHAI)
MENGZHOU, XIANGYUAN = "410883", "140423"  # 孟州市, 襄垣县

PETITION_HEADER = [
    "信访件编号", "登记日期", "信访形式", "登记层级", "信访人数", "信访人姓名", "证件号码",
    "联系电话", "内容分类", "是否初次信访",
]  # fmt: skip


@dataclass(frozen=True)
class Formula:
    text: str
    cached: object


def id_number(region: str, born: str, seq: str) -> str:
    """A valid 18-digit ID number: GB 11643-1999 check character over the first 17 digits."""
    body = f"{region}{born}{seq}"
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def petition(item: str, **cells: object) -> list[object]:
    """A petitions row under PETITION_HEADER; any cell can be overridden by field name."""
    row = {
        "item_id": item, "registered_on": "2025-01-03", "channel": "来信", "level": "县",
        "persons": 1, "name": "张三", "id_number": "", "phone": "", "category": "城乡建设",
        "is_first": "是",
    } | cells  # fmt: skip
    return list(row.values())


def workbook() -> tuple[xlsxwriter.Workbook, io.BytesIO]:
    """An in-memory workbook; its bytes are in the buffer once it is closed."""
    buffer = io.BytesIO()
    return xlsxwriter.Workbook(buffer, {"in_memory": True}), buffer


def xlsx_bytes(rows: list[list[object]], sheet: str = "台账") -> bytes:
    """Rows from Excel row 1; None is an empty cell, a date a real date cell."""
    book, buffer = workbook()
    ws = book.add_worksheet(sheet)
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, Formula):
                ws.write_formula(r, c, value.text, None, value.cached)
            elif isinstance(value, date):
                ws.write_datetime(r, c, datetime(value.year, value.month, value.day), day)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, str(value))
    book.close()
    return buffer.getvalue()


def xls_bytes(rows: list[list[object]]) -> bytes:
    book = xlwt.Workbook()
    ws = book.add_sheet("台账")
    day = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, Formula):
                ws.write(r, c, xlwt.Formula(value.text))
            elif isinstance(value, date):
                ws.write(r, c, value, day)
            elif value is not None:
                ws.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(
        ["" if v is None else v for v in row] for row in rows
    )
    return out.getvalue().encode(encoding)


def settings_at(root: Path) -> Settings:
    return Settings(root / "inbox", root / "warehouse.duckdb", root / "archive", root / "reports")


def drop(
    settings: Settings, unit: str, name: str, content: bytes, when: datetime = RECEIVED
) -> Path:
    """``content`` as ``<inbox>/<unit>/<name>``, arrived ``when``."""
    folder = settings.inbox / unit
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    return arrived(path, when)


def arrived(path: Path, when: datetime = RECEIVED) -> Path:
    """Set the entry's own modification time (a symlink's, not its target's)."""
    os.utime(path, (when.timestamp(), when.timestamp()), follow_symlinks=False)
    return path


def ingest(settings: Settings) -> list[Result]:
    return ingest_inbox(settings, workers=1)


def query(settings: Settings, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
