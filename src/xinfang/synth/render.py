"""One ledger snapshot → the sheets of one file, the Excel row of every data row, and the truth.

The truth is what ingestion must read back from the file: the snapshot's clean values, except
where the file itself cannot say more (an omitted column is empty; in a ``√`` column without
any ``√`` a blank is unknown rather than 否).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from xinfang.synth import cells
from xinfang.synth.frame import NAT, Frame, length
from xinfang.synth.style import REMARKS_HEADER, FileStyle, Layout, structural_quirks

Cell = str | int | float | date | None
REMARKS = ("重复件", "已转办", "已回访", "联名信", "网上转办", "领导批示件")
DATE_FORMATS = ("yyyy-mm-dd", "yyyy/m/d", 'yyyy"年"m"月"d"日"')


@dataclass(frozen=True)
class Formula:
    """A formula cell (without the leading ``=``) and its cached value."""

    text: str
    value: float


@dataclass
class Sheet:
    name: str
    rows: list[Sequence[Cell | Formula]]  # rows[0] is Excel row 1 (data rows are tuples)
    merged_rows: tuple[int, ...] = ()  # 0-based rows whose first cell spans the sheet's width
    header_row: int | None = None  # 0-based
    date_format: str = DATE_FORMATS[0]

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass
class Rendered:
    sheets: list[Sheet]
    sheet: str  # the ledger's sheet
    header_row: int  # Excel row number (1-based)
    source_rows: np.ndarray  # Excel row number of each snapshot row
    truth: Frame
    quirks: set[str]


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _empty_like(values: np.ndarray) -> np.ndarray:
    if values.dtype.kind == "M":
        return np.full(len(values), NAT)
    if values.dtype == np.int8:
        return np.full(len(values), np.int8(-1))
    if values.dtype.kind == "f":
        return np.full(len(values), np.nan)
    if values.dtype.kind == "i":
        return np.zeros(len(values), dtype=values.dtype)
    return np.full(len(values), None, dtype=object)


def _decorate(rng: np.random.Generator, headers: list[str], excel: bool) -> list[str]:
    """Headers as a clerk typed them: some with a line break (Excel) or a space in the middle."""
    out = list(headers)
    long = [i for i, h in enumerate(headers) if len(h) >= 4]
    for i in rng.choice(long, min(len(long), 1 + len(long) // 3), replace=False):
        mid = len(out[i]) // 2
        gap = "\n" if excel else str(rng.choice([" ", "\u3000"]))
        out[i] = out[i][:mid] + gap + out[i][mid:]
    return out


def render(
    frame: Frame,
    layout: Layout,
    style: FileStyle,
    titles: list[str],
    sheet_name: str,
    rng: np.random.Generator,
) -> Rendered:
    n = length(frame)
    ledger = layout.ledger
    sp = cells.Spelling(
        rng,
        style.format == "csv",
        style.dates,
        style.date_mix,
        style.bools,
        style.enum_alias_rate,
        style.fullwidth_rate,
        style.padding_rate,
        set(),
    )
    truth: Frame = {}
    columns: list[np.ndarray] = []
    for col in layout.columns:
        if col.field is None:
            columns.append(_extra(col.header, n, sp))
            continue
        f = ledger.field(col.field)
        values = frame[f.name]
        truth[f.name] = values
        if f.kind == "date":
            columns.append(cells.dates(values, sp))
        elif f.kind == "enum":
            columns.append(cells.enum(values, sp, f))
        elif f.kind == "bool":
            rendered, truth[f.name] = cells.bools(values, sp)
            columns.append(rendered)
        elif f.kind == "int":
            columns.append(cells.counts(values, sp))
        elif f.kind == "money":
            columns.append(cells.money(values, sp))
        elif f.kind in ("pii_drop", "pii_id"):
            columns.append(values)
        else:
            columns.append(cells.text(values, sp, digits=f.name in (ledger.key, "item_id")))
    for f in ledger.fields:
        truth.setdefault(f.name, _empty_like(frame[f.name]))
    for extra in ("category_l1", "id_valid"):
        if extra in frame:
            truth[extra] = frame[extra]

    excel = style.format != "csv"
    width = len(layout.columns)
    grid: list[Sequence[Cell | Formula]] = [[t] + [None] * (width - 1) for t in titles]
    merged = tuple(range(len(titles))) if style.merged_title else ()
    if style.blank_before_header:
        grid.append([])
    header_row = len(grid)
    headers = [c.header for c in layout.columns]
    grid.append(_decorate(rng, headers, excel) if style.header_breaks else headers)
    body: list[Sequence[Cell | Formula]] = list(zip(*columns, strict=True))
    blanks = np.sort(rng.integers(0, n + 1, style.blank_rows)) if n else np.array([], int)
    for p in blanks[::-1]:
        body.insert(int(p), [] if rng.random() < 0.5 else [None] * width)
    first_data = header_row + 2  # Excel row of the first body row
    source_rows = first_data + np.arange(n) + np.searchsorted(blanks, np.arange(n), "right")
    grid.extend(body)
    quirks = layout.quirks | structural_quirks(style) | sp.used
    if style.header_breaks:
        quirks.add("header_whitespace")
    if style.total_row:
        grid.append(_total(layout, frame, first_data, len(grid), style.format))
        if style.format == "xlsx":
            quirks.add("total_row_formula")
    if style.title_rows == 2 and not excel and rng.random() < 0.5:
        grid[1] = grid[1][:1]  # a CSV title row may be a single field
    sheets = [
        Sheet(
            sheet_name, grid, merged, header_row, DATE_FORMATS[int(rng.integers(len(DATE_FORMATS)))]
        )
    ]
    if style.instructions_first:
        sheets.insert(0, _instructions(ledger.title))
    if style.second_sheet:
        sheets.append(Sheet("统计", [["项目", "数量"], ["台账总行数", n]]))
    return Rendered(sheets, sheet_name, header_row + 1, source_rows, truth, quirks)


def _extra(header: str, n: int, sp: cells.Spelling) -> np.ndarray:
    if header == REMARKS_HEADER:
        out = np.full(n, None, dtype=object)
        some = sp.rng.random(n) < 0.1
        out[some] = np.array(REMARKS, dtype=object)[sp.rng.integers(0, len(REMARKS), some.sum())]
        return out
    serial = np.arange(1, n + 1)
    return serial.astype(str).astype(object) if sp.text else np.array(serial.tolist(), dtype=object)


def _total(layout: Layout, frame: Frame, first: int, last: int, fmt: str) -> list[Cell | Formula]:
    """The 合计 row: the label in the first column, sums under the count and money columns
    (``=SUM()`` formulas in xlsx, rows ``first``..``last``)."""
    row: list[Cell | Formula] = [None] * len(layout.columns)
    row[0] = "合计"
    for i, col in enumerate(layout.columns):
        if col.field is None or layout.ledger.field(col.field).kind not in ("int", "money"):
            continue
        values = frame[col.field]
        total = float(np.nansum(values))
        value = int(total) if total.is_integer() else total
        letter = column_letter(i)
        row[i] = (
            Formula(f"SUM({letter}{first}:{letter}{last})", value)
            if fmt == "xlsx"
            else str(value)
            if fmt == "csv"
            else value
        )
    return row


def _instructions(title: str) -> Sheet:
    lines = [
        f"{title}填报说明（示例数据）",
        "一、本表按登记时间顺序连续填写，已登记事项不得删除。",
        "二、日期请填写为“2025-01-03”格式。",
        "三、是否类栏目填写“是”或“否”。",
        "四、内容分类按“一级_二级_三级”填写，至少填写一级分类。",
        "五、每日下班前将全表报送市信访局。",
    ]
    return Sheet("填报说明", [[line] for line in lines])
