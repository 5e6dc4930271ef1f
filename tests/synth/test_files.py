"""The files say what the manifest says: rows, Excel row numbers, dates, mtimes, formats, quirks."""

from __future__ import annotations

import os
import zipfile
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, time, timedelta

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from xinfang.schema import LEDGERS, normalise_header
from xinfang.synth.generate import SHANGHAI

from .readback import as_date, fold, grid, is_blank

QUIRKS = {
    "two_title_rows", "merged_title", "blank_row_before_header", "header_whitespace",
    "header_alias", "serial_column", "remarks_column", "column_omitted", "total_row",
    "total_row_formula", "blank_rows", "date_iso", "date_slash", "date_dot", "date_cn",
    "date_serial", "date_cell", "date_mixed", "bool_yes_no", "bool_y_n", "bool_one_zero",
    "bool_check", "enum_alias", "fullwidth_digits", "padded_text", "second_sheet",
    "instructions_sheet_first", "rows_dropped", "bad_id_number",
}  # fmt: skip
FULLWIDTH_DIGITS = set("０１２３４５６７８９")


def _columns(header_row: list[object], kind: str) -> dict[str, int]:
    """Field -> column, canonical header before alias, leftmost first (as ingestion reads)."""
    folded = [normalise_header(fold(c)) for c in header_row]
    out: dict[str, int] = {}
    for f in LEDGERS[kind].fields:
        for h in f.headers:
            if normalise_header(h) in folded:
                out[f.name] = folded.index(normalise_header(h))
                break
    return out


def _data_rows(rows: list[list[object]], header_row: int) -> list[int]:
    """Excel row numbers of the data rows: after the header, not blank, before 合计."""
    out = []
    for i in range(header_row, len(rows)):
        if is_blank(rows[i]):
            continue
        if fold(rows[i][0]) == "合计":
            break
        out.append(i + 1)
    return out


@pytest.fixture(scope="module")
def grids(demo):
    return {e.path: grid(demo.inbox, e) for e in demo.manifest.good}


def test_every_good_file_reads_back_as_the_truth_says(demo, grids):
    truths = {k: demo.truth(k) for k in LEDGERS}
    by_file = {k: dict(tuple(t.groupby("file"))) for k, t in truths.items()}
    for entry in demo.manifest.good:
        rows = grids[entry.path]
        assert any("示例数据" in fold(c) for r in rows[: entry.header_row - 1] for c in r)
        cols = _columns(rows[entry.header_row - 1], entry.ledger)
        ledger = LEDGERS[entry.ledger]
        assert {f.name for f in ledger.required} <= set(cols), entry.path
        data = _data_rows(rows, entry.header_row)
        t = by_file[entry.ledger][entry.path]
        assert len(data) == entry.rows == len(t), entry.path
        assert sorted(t["source_row"]) == data, entry.path
        keys = [fold(rows[r - 1][cols[ledger.key]]) for r in t["source_row"]]
        assert keys == list(t[ledger.key]), entry.path
        for f in ledger.fields:
            if f.kind == "date" and f.name in cols:
                read = [as_date(rows[r - 1][cols[f.name]]) for r in t["source_row"]]
                expected = [None if pd.isna(d) else d for d in t[f.name]]
                assert read == expected, (entry.path, f.name)


def test_arrival_order_and_mtimes(demo):
    goods = defaultdict(list)
    for e in demo.manifest.files:
        st = os.stat(demo.inbox / e.path, follow_symlinks=False)
        assert st.st_mtime == e.mtime.timestamp(), e.path
        if e.expected == "accepted":
            goods[e.unit_code, e.ledger].append(e)
            night = datetime.combine(e.snapshot_date + timedelta(days=1), time(0, 30), SHANGHAI)
            assert night <= e.mtime < night + timedelta(hours=1), e.path
    for entries in goods.values():
        entries.sort(key=lambda e: e.snapshot_date)
        assert [e.mtime for e in entries] == sorted({e.mtime for e in entries})
    snapshots = {e.snapshot_date for e in demo.manifest.good}
    assert max(snapshots).isoformat() == "2026-10-31" and len(snapshots) == 3


def test_formats_and_encodings(demo):
    goods = demo.manifest.good
    assert {(e.format, e.encoding) for e in goods} == {
        ("xlsx", None),
        ("xls", None),
        ("csv", "utf-8"),
        ("csv", "utf-8-sig"),
        ("csv", "gb18030"),
    }
    for e in goods:
        head = (demo.inbox / e.path).read_bytes()
        if e.format == "csv":
            assert head.startswith(b"\xef\xbb\xbf") == (e.encoding == "utf-8-sig")
            if e.encoding == "gb18030":
                with pytest.raises(UnicodeDecodeError):
                    head.decode("utf-8")
        elif e.format == "xlsx":
            with zipfile.ZipFile(demo.inbox / e.path) as z:
                core = z.read("docProps/core.xml").decode()
            assert f"{e.snapshot_date.isoformat()}T18:00:00Z" in core
        else:
            assert head.startswith(bytes.fromhex("d0cf11e0a1b11ae1"))


def test_file_names_are_the_counties_own(demo):
    for e in demo.manifest.good:
        unit, name = e.path.split("/")
        title = LEDGERS[e.ledger].title
        assert (
            demo.manifest.units[[u["code"] for u in demo.manifest.units].index(unit)]["name"]
            in name
            and title in name
        )
        assert name.endswith("." + e.format)


ALIASES = {a for f in (f for lg in LEDGERS.values() for f in lg.fields) for a, c in f.values.items()
           if a != c}  # fmt: skip
Check = Callable[[list[list[object]], int, list[object]], object]
#: How to see a quirk in a file's grid (rows, header row, the cells below the header).
SHOWS: dict[str, Check] = {
    "two_title_rows": lambda rows, h, cells: h >= 3 and "填报" in fold(rows[1][0]),
    "blank_row_before_header": lambda rows, h, cells: is_blank(rows[h - 2]),
    "header_whitespace": lambda rows, h, cells: any(len(str(c).split()) > 1 for c in rows[h - 1]),
    "total_row": lambda rows, h, cells: "合计" in {fold(r[0]) for r in rows[h:] if r},
    "blank_rows": lambda rows, h, cells: any(is_blank(r) for r in rows[h:]),
    "date_serial": lambda rows, h, cells: any(
        (isinstance(c, (int, float)) and c > 30000) or (fold(c).isdigit() and len(fold(c)) == 5)
        for c in cells),
    "date_cell": lambda rows, h, cells: any(hasattr(c, "year") for c in cells),
    "date_cn": lambda rows, h, cells: any("年" in str(c) and "日" in str(c) for c in cells),
    "bool_check": lambda rows, h, cells: "√" in {str(c) for c in cells},
    "bool_y_n": lambda rows, h, cells: {"Y", "N"} <= {str(c) for c in cells},
    "fullwidth_digits": lambda rows, h, cells: any(FULLWIDTH_DIGITS & set(str(c)) for c in cells),
    "padded_text": lambda rows, h, cells: any(
        isinstance(c, str) and c and c != c.strip() for c in cells),
    "enum_alias": lambda rows, h, cells: ALIASES & {str(c) for c in cells},
}  # fmt: skip


def test_every_quirk_is_somewhere_and_really_in_the_file(demo, grids):
    seen = defaultdict(list)
    for e in demo.manifest.good:
        for q in e.quirks:
            seen[q].append(e)
    assert set(seen) >= QUIRKS
    for quirk, entries in seen.items():
        e = entries[0]
        rows, h = grids[e.path], e.header_row
        if quirk in SHOWS:
            assert SHOWS[quirk](rows, h, [c for r in rows[h:] for c in r]), (quirk, e.path)
        if quirk in ("merged_title", "second_sheet", "instructions_sheet_first"):
            wb = CalamineWorkbook.from_path(str(demo.inbox / e.path))
            sheet = wb.get_sheet_by_name(e.sheet)
            if quirk == "merged_title":
                assert ((0, 0), (0, len(rows[h - 1]) - 1)) in (sheet.merged_cell_ranges or [])
            elif quirk == "second_sheet":
                assert len(wb.sheet_names) > wb.sheet_names.index(e.sheet) + 1
            else:
                assert wb.sheet_names[0] == "填报说明" != e.sheet
        if quirk == "total_row_formula":
            with zipfile.ZipFile(demo.inbox / e.path) as z:
                sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
                assert any(b"<f>SUM(" in z.read(n) for n in sheets)
