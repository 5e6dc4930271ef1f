"""``.xlsx`` and ``.xls`` sheets through fastexcel (calamine), every cell read as text.

fastexcel, asked for no header and no skipped rows, returns the sheet from its first row
(Excel row 1), blank rows included, and names each column's absolute position. Date cells come
as ``2025-01-03 00:00:00``, numbers as ``45660`` or ``3.5``, booleans as ``true``/``false``;
normalisation reads those forms. A sheet is parsed whole once (calamine cannot stop early).

A legacy ``.xls`` (an OLE compound file) is read in a child process with a memory ceiling
(``XINFANG_XLS_MEMORY_MB``, 1024): calamine trusts the record sizes a damaged ``.xls`` claims,
and a 5 KB file found by fuzzing made it allocate tens of gigabytes. The child's failure makes
the file unreadable, nothing else.
"""

from __future__ import annotations

import os
import pickle
import resource
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import fastexcel
import pyarrow as pa

from xinfang.ingest.sheet import HEADER_SCAN_ROWS, Row, column_name, rows_of

Unreadable = fastexcel.FastExcelError
OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")


class ReaderFailed(ValueError):
    """The isolated ``.xls`` reader ran out of its memory ceiling or died."""


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
    """Each sheet of the workbook in order, loaded when asked for (a ``.xls`` all at once, in a
    child process)."""
    if data.startswith(OLE_MAGIC):
        yield from _isolated(data)
        return
    yield from read_sheets(data)


def read_sheets(data: bytes) -> Iterator[ExcelSheet]:
    """The workbook's sheets read in this process (an ``.xls`` only in its child)."""
    reader = fastexcel.read_excel(data)
    for index in range(len(reader.sheet_names)):
        sheet = reader.load_sheet(
            index, header_row=None, skip_rows=0, dtypes="string", whitespace_as_null=True
        )
        names = [column_name(c.absolute_index) for c in sheet.available_columns()]
        batch = sheet.to_arrow()
        table = pa.Table.from_batches([batch]) if batch.num_columns else pa.table({})
        yield ExcelSheet(sheet.name, table.rename_columns(names) if names else table)


def _ceiling() -> None:
    limit = int(os.environ.get("XINFANG_XLS_MEMORY_MB", "1024")) << 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _isolated(data: bytes) -> list[ExcelSheet]:
    child = subprocess.run(
        [sys.executable, "-m", "xinfang.ingest.xls_child"],
        input=data,
        capture_output=True,
        preexec_fn=_ceiling,
        check=False,
    )
    if child.returncode == 2:  # calamine's own error, told as such
        raise Unreadable(child.stderr.decode("utf-8", "replace").strip())
    if child.returncode != 0:
        raise ReaderFailed(f"the .xls reader failed (exit {child.returncode})")
    return [ExcelSheet(name, table) for name, table in pickle.loads(child.stdout)]
