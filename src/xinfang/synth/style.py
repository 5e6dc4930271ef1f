"""How a county writes its ledgers: the template (per unit and ledger) and the mess of one file.

A ``Layout`` is the county's template: which columns, under which header (canonical or an
alias), with or without a 序号/备注 column. A ``FileStyle`` is what varies from one night's file
to the next: format and encoding, title rows, date and boolean spellings, enum aliases,
full-width characters, blank rows, a 合计 row, extra sheets. Both are drawn at random and then
``cover`` forces every quirk onto at least one file, so a small run still shows them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from xinfang.schema import LEDGERS, Ledger

SERIAL_HEADER = "序号"
REMARKS_HEADER = "备注"
#: Optional columns a county's template may lack (the warehouse then has them empty).
OMITTABLE = {
    "petitions": ("enforcement", "review_concluded_on", "mediation_agreement", "phone"),
    "risks": ("key_subject", "escalation_risk", "persons"),
    "backlog": ("charity_fund", "item_id", "due_on"),
}
FORMATS = {  # (format, encoding): share in a mixed run
    ("xlsx", None): 0.38, ("xls", None): 0.12, ("csv", "utf-8"): 0.2,
    ("csv", "utf-8-sig"): 0.15, ("csv", "gb18030"): 0.15,
}  # fmt: skip
DATE_STYLES = ("iso", "slash", "dot", "cn", "serial", "cell")  # cell: a real date cell (Excel)
BOOL_STYLES = ("yes_no", "y_n", "one_zero", "check")


@dataclass(frozen=True)
class Column:
    field: str | None  # schema field name; None for 序号 and 备注
    header: str


@dataclass(frozen=True)
class Layout:
    kind: str
    columns: tuple[Column, ...]

    @property
    def ledger(self) -> Ledger:
        return LEDGERS[self.kind]

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.columns if c.field)

    def header_of(self, field: str) -> str:
        return next(c.header for c in self.columns if c.field == field)

    @property
    def quirks(self) -> set[str]:
        q = set()
        if any(c.field and c.header != self.ledger.field(c.field).header for c in self.columns):
            q.add("header_alias")
        if any(c.header == SERIAL_HEADER for c in self.columns):
            q.add("serial_column")
        if any(c.header == REMARKS_HEADER for c in self.columns):
            q.add("remarks_column")
        if len(self.fields) < len(self.ledger.fields):
            q.add("column_omitted")
        return q


@dataclass(frozen=True)
class FileStyle:
    format: str  # xlsx | xls | csv
    encoding: str | None  # csv only: utf-8 | utf-8-sig | gb18030
    title_rows: int  # 1 or 2
    merged_title: bool
    blank_before_header: bool
    header_breaks: bool  # line breaks (Excel) or spaces (CSV) inside header cells
    total_row: bool
    blank_rows: int
    dates: tuple[str, ...]  # date styles: the first is the file's main one
    date_mix: float  # share of date cells written in another style
    bools: str
    enum_alias_rate: float
    fullwidth_rate: float  # digits typed in full width (keys, counts, dates)
    padding_rate: float  # text cells with stray (full-width) spaces around them
    second_sheet: bool  # an irrelevant sheet after the ledger (xlsx)
    instructions_first: bool  # a 填报说明 sheet before the ledger (xlsx)
    drop_closed: bool  # risks: the clerk left out risks closed before this year


def draw_layout(rng: np.random.Generator, kind: str) -> Layout:
    ledger = LEDGERS[kind]
    omit: set[str] = set()
    if rng.random() < 0.3:
        omit = set(rng.choice(OMITTABLE[kind], int(rng.integers(1, 3)), replace=False))
    columns = [
        Column(f.name, str(rng.choice(f.aliases)) if f.aliases and rng.random() < 0.3 else f.header)
        for f in ledger.fields
        if f.name not in omit
    ]
    if rng.random() < 0.6:
        columns.insert(0, Column(None, SERIAL_HEADER))
    if rng.random() < 0.3:
        columns.append(Column(None, REMARKS_HEADER))
    return Layout(kind, tuple(columns))


def _weighted(rng: np.random.Generator, options: dict, allowed: list) -> object:
    keys = [k for k in options if k in allowed]
    p = np.array([options[k] for k in keys])
    return keys[rng.choice(len(keys), p=p / p.sum())]


def draw_style(rng: np.random.Generator, kind: str, formats: list, last: bool) -> FileStyle:
    fmt, encoding = _weighted(rng, FORMATS, formats)
    excel = fmt != "csv"
    styles = DATE_STYLES if excel else DATE_STYLES[:-1]
    main = str(rng.choice(styles, p=None if not excel else [0.2, 0.15, 0.1, 0.1, 0.1, 0.35]))
    mix = float(rng.choice([0.0, 0.08, 0.25], p=[0.5, 0.3, 0.2]))
    others = tuple(s for s in styles if s != main)
    return FileStyle(
        format=fmt, encoding=encoding, title_rows=int(rng.choice([1, 2], p=[0.6, 0.4])),
        merged_title=excel and rng.random() < 0.8, blank_before_header=rng.random() < 0.2,
        header_breaks=rng.random() < 0.25, total_row=rng.random() < 0.85,
        blank_rows=int(rng.choice([0, 1, 3], p=[0.6, 0.25, 0.15])),
        dates=(main, *others) if mix else (main,), date_mix=mix,
        bools=str(rng.choice(BOOL_STYLES, p=[0.5, 0.15, 0.15, 0.2])),
        enum_alias_rate=float(rng.choice([0.0, 0.1, 0.3], p=[0.4, 0.4, 0.2])),
        fullwidth_rate=float(rng.choice([0.0, 0.04], p=[0.7, 0.3])),
        padding_rate=float(rng.choice([0.0, 0.05], p=[0.7, 0.3])),
        second_sheet=fmt == "xlsx" and rng.random() < 0.3,
        instructions_first=fmt == "xlsx" and rng.random() < 0.05,
        drop_closed=kind == "risks" and last and rng.random() < 0.3,
    )  # fmt: skip


def structural_quirks(style: FileStyle) -> set[str]:
    """Quirks of the file's shape; the renderer adds those of the cells (dates, booleans...)."""
    flags = {
        "two_title_rows": style.title_rows == 2, "merged_title": style.merged_title,
        "blank_row_before_header": style.blank_before_header, "total_row": style.total_row,
        "blank_rows": style.blank_rows > 0, "second_sheet": style.second_sheet,
        "instructions_sheet_first": style.instructions_first, "rows_dropped": style.drop_closed,
    }  # fmt: skip
    return {name for name, on in flags.items() if on}


@dataclass(frozen=True)
class Need:
    """A quirk that must appear: ``has`` tests a file, ``fit`` says a file can take it, ``give``
    adds it."""

    name: str
    has: Callable[[FileStyle, str, bool], bool]
    fit: Callable[[FileStyle, str, bool], bool]
    give: Callable[[FileStyle], FileStyle]


def _needs(formats: list) -> list[Need]:
    """Every quirk as a need. Cell-level quirks go to petitions files: they are long enough for a
    small rate to show for sure, and only they have boolean columns."""
    any_ = lambda s, k, last: True  # noqa: E731
    excel = lambda s, k, last: s.format != "csv"  # noqa: E731
    xlsx = lambda s, k, last: s.format == "xlsx"  # noqa: E731
    items = lambda s, k, last: k == "petitions"  # noqa: E731
    needs = [
        Need(
            f"{fmt}:{enc}",
            lambda s, k, last, f=fmt, e=enc: (s.format, s.encoding) == (f, e),
            any_,
            lambda s, f=fmt, e=enc: _as_format(s, f, e),
        )
        for fmt, enc in formats
    ]
    for d in DATE_STYLES:
        needs.append(
            Need(
                f"date_{d}",
                lambda s, k, last, d=d: s.dates[0] == d,
                (lambda s, k, last: excel(s, k, last) and k == "petitions")
                if d == "cell"
                else items,
                lambda s, d=d: replace(s, dates=(d, *(x for x in s.dates if x != d))),
            )
        )
    for b in BOOL_STYLES:
        needs.append(
            Need(
                f"bool_{b}",
                lambda s, k, last, b=b: s.bools == b and k == "petitions",
                items,
                lambda s, b=b: replace(s, bools=b),
            )
        )
    flags: list[tuple[str, Callable[[FileStyle, str, bool], bool], dict[str, object]]] = [
        ("two_title_rows", any_, {"title_rows": 2}),
        ("merged_title", excel, {"merged_title": True}),
        ("blank_row_before_header", any_, {"blank_before_header": True}),
        ("total_row", any_, {"total_row": True}),
        ("blank_rows", any_, {"blank_rows": 2}),
        ("second_sheet", xlsx, {"second_sheet": True}),
        ("instructions_sheet_first", xlsx, {"instructions_first": True}),
        ("rows_dropped", lambda s, k, last: k == "risks" and last, {"drop_closed": True}),
    ]
    for name, fit, change in flags:
        needs.append(
            Need(
                name,
                lambda s, k, last, n=name: n in structural_quirks(s),
                fit,
                lambda s, c=change: replace(s, **c),
            )
        )
    cell_level = [
        ("header_whitespace", "header_breaks", True),
        ("date_mixed", "date_mix", 0.25),
        ("enum_alias", "enum_alias_rate", 0.3),
        ("fullwidth_digits", "fullwidth_rate", 0.04),
        ("padded_text", "padding_rate", 0.05),
    ]
    for name, attr, value in cell_level:
        needs.append(
            Need(
                name,
                lambda s, k, last, a=attr: bool(getattr(s, a)) and k == "petitions",
                items,
                lambda s, a=attr, v=value: _with_mix(replace(s, **{a: v})),
            )
        )
    return needs


def _as_format(style: FileStyle, fmt: str, encoding: str | None) -> FileStyle:
    """The style moved to another format, dropping what that format cannot carry."""
    excel = fmt != "csv"
    return replace(
        style,
        format=fmt,
        encoding=encoding,
        merged_title=excel and style.merged_title,
        dates=tuple(d for d in style.dates if excel or d != "cell") or ("iso",),
        second_sheet=fmt == "xlsx" and style.second_sheet,
        instructions_first=fmt == "xlsx" and style.instructions_first,
    )


def _with_mix(style: FileStyle) -> FileStyle:
    """A style with ``date_mix`` needs more than one date style to mix."""
    if style.date_mix and len(style.dates) == 1:
        styles = DATE_STYLES if style.format != "csv" else DATE_STYLES[:-1]
        return replace(style, dates=(style.dates[0], *(d for d in styles if d != style.dates[0])))
    return style


def cover(
    rng: np.random.Generator,
    styles: list[FileStyle],
    kinds: list[str],
    last: list[bool],
    formats: list,
) -> list[FileStyle]:
    """Force every quirk that no file shows onto one file that can take it."""
    styles = list(styles)
    taken: set[int] = set()
    for need in _needs(formats):
        if any(need.has(s, k, z) for s, k, z in zip(styles, kinds, last, strict=True)):
            continue
        fits = [
            i
            for i, (s, k, z) in enumerate(zip(styles, kinds, last, strict=True))
            if i not in taken and need.fit(s, k, z)
        ]
        if fits:
            i = fits[int(rng.integers(len(fits)))]
            styles[i] = need.give(styles[i])
            taken.add(i)
    return styles


def cover_layouts(rng: np.random.Generator, layouts: list[Layout]) -> list[Layout]:
    """Every template quirk on at least one layout."""
    layouts = list(layouts)
    for quirk in ("header_alias", "serial_column", "remarks_column", "column_omitted"):
        if layouts and not any(quirk in lay.quirks for lay in layouts):
            i = int(rng.integers(len(layouts)))
            layouts[i] = _give_layout(layouts[i], quirk)
    return layouts


def _give_layout(layout: Layout, quirk: str) -> Layout:
    cols = list(layout.columns)
    ledger = layout.ledger
    if quirk == "header_alias":
        i = next(i for i, c in enumerate(cols) if c.field and ledger.field(c.field).aliases)
        cols[i] = Column(cols[i].field, ledger.field(cols[i].field).aliases[0])
    elif quirk == "serial_column":
        cols.insert(0, Column(None, SERIAL_HEADER))
    elif quirk == "remarks_column":
        cols.append(Column(None, REMARKS_HEADER))
    else:
        cols = [c for c in cols if c.field != OMITTABLE[layout.kind][0]]
    return Layout(layout.kind, tuple(cols))
