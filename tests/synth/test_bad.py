"""Every kind of bad submission is written once, arrives last, and carries only its own fault."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from msoffcrypto.format.ooxml import OOXMLFile
from python_calamine import CalamineWorkbook

from xinfang.reference import units
from xinfang.schema import LEDGERS, normalise_header
from xinfang.synth.bad import BAD_KINDS, PASSWORD

from .readback import fold, grid, is_blank

OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")


@pytest.fixture(scope="module")
def bad(demo):
    return {e.bad_kind: e for e in demo.manifest.bad}


def _ledger_rows(rows: list[list[object]], kind: str) -> tuple[int, list[int]]:
    """Header row (1-based) holding every required header of ``kind``, and the data rows."""
    required = [{normalise_header(h) for h in f.headers} for f in LEDGERS[kind].required]
    for i, row in enumerate(rows):
        folded = {normalise_header(fold(c)) for c in row}
        if all(r & folded for r in required):
            data = [
                j + 1
                for j in range(i + 1, len(rows))
                if not is_blank(rows[j]) and fold(rows[j][0]) != "合计"
            ]
            return i + 1, data
    raise AssertionError(f"no {kind} header")


def test_each_kind_once_arriving_after_the_units_good_files(demo, bad):
    assert sorted(bad) == sorted(BAD_KINDS) and len(demo.manifest.bad) == len(BAD_KINDS)
    for e in bad.values():
        goods = [g.mtime for g in demo.manifest.good if g.unit_code == e.unit_code]
        assert goods or e.bad_kind == "unknown_unit"
        assert all(e.mtime > g for g in goods), e.path
        assert os.lstat(demo.inbox / e.path).st_mtime == e.mtime.timestamp()


def test_ledger_shaped_bad_files_are_valid_but_for_their_fault(demo, bad):
    for kind in (
        "formula",
        "invalid_date",
        "duplicate_key",
        "negative_persons",
        "path_traversal",
        "unknown_unit",
        "symlink",
    ):
        e = bad[kind]
        rows = grid(demo.inbox, e)
        header, data = _ledger_rows(rows, e.ledger)
        assert header == e.header_row and len(data) == e.rows and 10 <= e.rows <= 50
        assert "示例数据" in fold(rows[0][0])
        if e.fault:
            col = [normalise_header(fold(c)) for c in rows[header - 1]].index(e.fault.column)
            cell = rows[e.fault.row - 1][col]
            if kind == "formula":
                continue  # the cached value is read; the formula is checked below
            assert fold(cell) == e.fault.value, kind
    dup = bad["duplicate_key"]
    rows = grid(demo.inbox, dup)
    col = [fold(c) for c in rows[dup.header_row - 1]].index(dup.fault.column)
    assert [fold(r[col]) for r in rows].count(dup.fault.value) == 2
    assert bad["negative_persons"].fault.value == "-3" and bad["negative_persons"].format == "xls"
    assert bad["invalid_date"].fault.value == "2025-02-30"


def test_formula_in_a_data_cell(demo, bad):
    e = bad["formula"]
    with zipfile.ZipFile(demo.inbox / e.path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert f"<f>{e.fault.value.removeprefix('=')}</f>" in xml
    assert e.fault.value.startswith("=") and e.fault.column in ("信访人数", "人数")


def test_unreadable_empty_truncated_encrypted(demo, bad):
    data = {
        k: (demo.inbox / bad[k].path).read_bytes()
        for k in ("unreadable", "empty", "truncated", "encrypted")
    }
    assert data["empty"] == b""
    assert len(data["unreadable"]) > 1000 and not data["unreadable"].startswith((b"PK", OLE_MAGIC))
    assert data["truncated"].startswith(b"PK")
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(io.BytesIO(data["truncated"])).testzip()
    assert data["encrypted"].startswith(OLE_MAGIC)
    office = OOXMLFile(io.BytesIO(data["encrypted"]))
    assert office.is_encrypted()
    office.load_key(password=PASSWORD)
    plain = io.BytesIO()
    office.decrypt(plain)
    wb = CalamineWorkbook.from_filelike(io.BytesIO(plain.getvalue()))
    rows = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
    assert len(_ledger_rows(rows, "petitions")[1]) == bad["encrypted"].rows


def test_unknown_header_and_unknown_unit(demo, bad):
    rows = grid(demo.inbox, bad["unknown_header"])
    assert "物品名称" in [fold(c) for c in rows[1]]
    for kind in LEDGERS:
        with pytest.raises(AssertionError):
            _ledger_rows(rows, kind)
    e = bad["unknown_unit"]
    assert e.unit_code not in units() and e.unit_code.startswith("4108")
    assert e.path.startswith(e.unit_code + "/")


def test_oversized_is_sparse_and_the_zip_bomb_is_small(demo, bad):
    st = os.stat(demo.inbox / bad["oversized"].path)
    assert st.st_size == 101 * 2**20 > 100 * 2**20
    assert st.st_blocks * 512 < 2**20
    bomb = demo.inbox / bad["zip_bomb"].path
    assert bomb.stat().st_size < 2 * 2**20
    with zipfile.ZipFile(bomb) as z:
        (info,) = z.infolist()
        assert info.file_size >= 2**30
        with z.open(info) as fh:
            assert fh.read(2**20) == bytes(2**20)


def test_path_traversal_name_and_symlink_stay_where_they_are(demo, bad):
    e = bad["path_traversal"]
    name = e.path.split("/", 1)[1]
    assert name.startswith("..\\") and "\\" in name and "/" not in name
    assert name in os.listdir(demo.inbox / e.unit_code)
    assert not (demo.inbox.parent / "Windows").exists()
    link = demo.inbox / bad["symlink"].path
    assert link.is_symlink()
    target = link.resolve()
    assert target.is_file() and not target.is_relative_to(demo.inbox.resolve())
