"""Which rows below the header are ledger data, and their row numbers as the clerk sees them.

Dropped: blank rows (no text in any column the ledger reads) and total rows (the first
non-empty cell, in any column, is 合计, 总计 or 小计). Decided with whole-column operations;
only rows whose first cell mentions 计 are looked at one by one.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from xinfang.ingest.sheet import column_number

TOTAL_WORDS = frozenset({"合计", "总计", "小计"})


def _has_text(column: pa.ChunkedArray) -> np.ndarray:
    text = pc.and_kleene(pc.is_valid(column), pc.invert(pc.utf8_is_space(column)))
    return pc.fill_null(text, False).to_numpy(zero_copy_only=False)


def is_total(text: str | None) -> bool:
    return text is not None and "".join(text.split()).rstrip(":：") in TOTAL_WORDS


def data_rows(body: pa.Table, first_row: int, columns: list[int]) -> tuple[pa.Table, np.ndarray]:
    """The data rows of ``body`` (whose first row is Excel row ``first_row``) and their Excel
    row numbers; ``columns`` are the absolute columns the ledger reads."""
    n = body.num_rows
    rows = np.arange(first_row, first_row + n, dtype=np.int32)
    read = set(columns)
    first = np.full(n, -1)  # each row's first column with text
    keep = np.zeros(n, dtype=bool)  # a column the ledger reads has text
    # Left to right, until every row has its first text and ledger text (usually column 1).
    for j, name in enumerate(body.column_names):
        if (first >= 0).all() and keep.all():
            break
        text = _has_text(body[name])
        first[(first < 0) & text] = j
        if column_number(name) in read:
            keep |= text
    for j in np.unique(first[keep]):
        column = body[body.column_names[j]]
        mentions = pc.fill_null(pc.match_substring(column, "计"), False).to_numpy(
            zero_copy_only=False
        )
        for pos in np.flatnonzero(keep & (first == j) & mentions):
            keep[pos] = not is_total(column[int(pos)].as_py())
    return (body if keep.all() else body.filter(pa.array(keep))), rows[keep]
