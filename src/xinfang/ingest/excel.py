"""``.xlsx`` and ``.xls`` sheets through fastexcel (calamine), every cell read as text.

fastexcel, asked for no header and no skipped rows, returns the sheet from its first row
(Excel row 1), blank rows included, and names each column's absolute position. Date cells come
as ``2025-01-03 00:00:00``, numbers as ``45660`` or ``3.5``, booleans as ``true``/``false``;
normalisation reads those forms. A sheet is parsed whole once (calamine cannot stop early).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import fastexcel
import pyarrow as pa

from xinfang.ingest.sheet import HEADER_SCAN_ROWS, Row, column_name, rows_of

Unreadable = fastexcel.FastExcelError


@dataclass(frozen=True)
class ExcelSheet:
    name: str
    table: pa.Table

    @property
    def top(self) -> list[Row]:
        return rows_of(self.table.slice(0, HEADER_SCAN_ROWS))

    def body(self, header_index: int) -> pa.Table:
        return self.table.slice(header_index + 1)


def excel_sheets(data: bytes) -> Iterator[ExcelSheet]:
    """Each sheet of the workbook in order, loaded when asked for."""
    reader = fastexcel.read_excel(data)
    for index in range(len(reader.sheet_names)):
        sheet = reader.load_sheet(
            index, header_row=None, skip_rows=0, dtypes="string", whitespace_as_null=True
        )
        names = [column_name(c.absolute_index) for c in sheet.available_columns()]
        batch = sheet.to_arrow()
        table = pa.Table.from_batches([batch]) if batch.num_columns else pa.table({})
        yield ExcelSheet(sheet.name, table.rename_columns(names) if names else table)
