"""Formula cells found in sheet XML however it is cut into chunks, and only in sheetData."""

from __future__ import annotations

import io

import pytest

from xinfang.ingest import formulas

from .builders import Formula, xls_bytes, xlsx_bytes

SHEET = (
    b'<?xml version="1.0"?><x:worksheet xmlns:x="main"><x:sheetData>'
    b'<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1"><x:v>2</x:v></x:c></x:row>'
    b'<x:row r="2"><x:c r="A2" s="1"><x:f>B1*2</x:f><x:v>4</x:v></x:c>'
    b'<x:c r="AB2"><x:f t="shared" si="0"/><x:v>5</x:v></x:c></x:row>'
    b"</x:sheetData><x:extLst><x14:dataValidations><x14:dataValidation><x14:formula1>"
    b"<xm:f>Lists!$A$1:$A$9</xm:f></x14:formula1></x14:dataValidation></x14:dataValidations>"
    b"</x:extLst></x:worksheet>"
)


@pytest.mark.parametrize("chunk", [7, 16, 64, 1 << 22])
def test_prefixed_cells_any_chunking_not_after_sheet_data(monkeypatch, chunk):
    monkeypatch.setattr(formulas, "_CHUNK", chunk)
    assert formulas._scan(io.BytesIO(SHEET)) == {(2, 0), (2, 27)}


def test_workbook_formulas_by_sheet():
    rows = [["a", "b"], [1, Formula("A2+1", 2)], [Formula("SUM(A2:A2)", 1), 3]]
    assert formulas.xlsx_formula_cells(xlsx_bytes(rows)) == {"台账": {(2, 1), (3, 0)}}
    assert formulas.xls_formula_cells(xls_bytes(rows)) == {"台账": {(2, 1), (3, 0)}}


@pytest.mark.parametrize(("letters", "index"), [("A", 0), ("Z", 25), ("AA", 26), ("XFD", 16383)])
def test_column_letters(letters, index):
    assert formulas.column_index(letters) == index
