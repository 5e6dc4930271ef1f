"""Reading generated files back independently of the generator (calamine, the csv module)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path

from python_calamine import CalamineWorkbook

from xinfang.synth import FileEntry

_YMD = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


def grid(inbox: Path, entry: FileEntry) -> list[list[object]]:
    """The ledger sheet as rows of cells (row 0 is Excel row 1), blanks as ''."""
    path = inbox / entry.path
    if entry.format == "csv":
        text = path.read_bytes().decode(entry.encoding or "utf-8")
        return list(csv.reader(io.StringIO(text, newline="")))
    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name(entry.sheet).to_python(skip_empty_area=False)


def fold(cell: object) -> str:
    """A cell as text, NFKC-folded and trimmed ('' for empty)."""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return unicodedata.normalize("NFKC", str(cell)).strip()


def as_date(cell: object) -> date | None:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = fold(cell)
    if not text:
        return None
    if text.isdigit():
        return date(1899, 12, 30) + timedelta(days=int(text))
    m = _YMD.fullmatch(text)
    assert m, f"not a date: {cell!r}"
    return date(int(m[1]), int(m[2]), int(m[3]))


def is_blank(row: list[object]) -> bool:
    return all(fold(c) == "" for c in row)
