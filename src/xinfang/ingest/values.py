"""How one (already NFKC-folded, trimmed) cell text reads as a date, a yes/no, a count, money.

These run once per distinct value of a column (see :mod:`xinfang.ingest.normalise`), never per
cell. Each returns None for a value it cannot read.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from xinfang.schema import CATEGORY_CROSSWALK

#: Excel's 1900 date system, counted from 1899-12-30 (Lotus' phantom 1900-02-29 included).
EXCEL_EPOCH = date(1899, 12, 30)
#: A ledger date outside these is a typing error, not a date: before Excel's first day, or
#: (a deadline) beyond this century. The quality gate's dates stop at 2262 anyway.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2099, 12, 31)
_SERIALS = range((FIRST_DAY - EXCEL_EPOCH).days, (LAST_DAY - EXCEL_EPOCH).days + 1)

_YMD = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[T\s]\s*\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d*)?)?)?"
)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL = re.compile(r"\d{1,7}(?:\.\d*)?")

#: Marks a column of ticks: there a blank cell means 否.
CHECK_MARKS = frozenset("√✓✔")
_TRUE = frozenset({"是", "Y", "YES", "1", "TRUE", *CHECK_MARKS})
_FALSE = frozenset({"否", "N", "NO", "0", "FALSE", "×", "✗", "✘"})

_COUNT = re.compile(r"(\d{1,9})(?:\.0*)?")
_COUNT_NOISE = re.compile(r"[,\s]|人次$|人$")
_MONEY_NOISE = re.compile(r"[,\s¥]|元$")


def parse_date(text: str) -> date | None:
    """``2025-01-03``, ``2025/1/3``, ``2025.1.3``, ``2025年1月3日`` (a time after it is
    ignored, as in a date cell read as ``2025-01-03 00:00:00``), ``20250103``, or an Excel
    serial number (``45660`` = 2025-01-03); from :data:`FIRST_DAY` to :data:`LAST_DAY`."""
    if m := _YMD.fullmatch(text) or _COMPACT.fullmatch(text):
        try:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
        return day if FIRST_DAY <= day <= LAST_DAY else None
    if _SERIAL.fullmatch(text):
        serial = int(float(text))
        return EXCEL_EPOCH + timedelta(days=serial) if serial in _SERIALS else None
    return None


def parse_bool(text: str) -> bool | None:
    """是/否, Y/N, 1/0, a tick (√) or a cross, and Excel's TRUE/FALSE."""
    word = text.upper()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return None


def parse_count(text: str) -> int | None:
    """A whole number, thousands separators and a trailing 人/人次 allowed."""
    m = _COUNT.fullmatch(_COUNT_NOISE.sub("", text))
    return int(m.group(1)) if m else None


def parse_money(text: str) -> Decimal | None:
    """Yuan, to the fen: thousands separators, ``¥`` and a trailing 元 allowed."""
    try:
        value = Decimal(_MONEY_NOISE.sub("", text))
    except InvalidOperation:
        return None
    if not value.is_finite() or abs(value) >= Decimal(10) ** 16:
        return None
    return value.quantize(Decimal("0.01"))


def first_level(category: str) -> str:
    """The first level of ``一级_二级_三级``, old class names crosswalked to the current ones."""
    level = category.split("_", 1)[0].strip()
    return CATEGORY_CROSSWALK.get(level, level)
