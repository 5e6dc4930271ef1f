"""A sheet as text, the same for every format: what header recognition and normalisation read.

Cells are strings (None when empty), columns are named ``c<n>`` by their absolute 0-based
column (A = ``c0``). ``top`` holds the first rows for header recognition; ``body(h)`` the rows
below the header row ``h`` (0-based), whose first row is Excel row ``h + 2``.
"""

from __future__ import annotations

from typing import Protocol

import pyarrow as pa

#: The header row is looked for in this many rows from the top.
HEADER_SCAN_ROWS = 30

#: A row's non-empty cells: absolute column -> text.
Row = dict[int, str]


def column_name(index: int) -> str:
    return f"c{index}"


def column_number(name: str) -> int:
    return int(name[1:])


class Sheet(Protocol):
    name: str

    @property
    def top(self) -> list[Row]: ...

    def body(self, header_index: int) -> pa.Table: ...


def rows_of(table: pa.Table) -> list[Row]:
    """The non-empty cells of each row of a (small) table."""
    numbers = [column_number(n) for n in table.column_names]
    return [
        {n: v for n, v in zip(numbers, values, strict=True) if v is not None and v.strip()}
        for values in zip(*(col.to_pylist() for col in table.columns), strict=True)
    ] if table.num_columns else [{} for _ in range(table.num_rows)]  # fmt: skip
