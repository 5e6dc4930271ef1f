"""Load one parsed submission into the warehouse: the only code that writes the raw layer.

One transaction per submission: the registry row, its messages and, when accepted, its rows
(read from the staged Parquet file by DuckDB, with the lineage columns added). A rejected
submission gets its registry row and messages only. A (unit, SHA-256) already registered
changes nothing. Call it from one process at a time, in arrival order.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import duckdb
import pyarrow as pa

from xinfang.ingest.submission import ParsedSubmission

_MESSAGE_SCHEMA = pa.schema(
    [
        ("submission_id", pa.string()),
        ("seq", pa.int32()),
        ("severity", pa.string()),
        ("rule", pa.string()),
        ("source_row", pa.int32()),
        ("column_header", pa.string()),
        ("value", pa.string()),
        ("message", pa.string()),
    ]
)


def _messages(parsed: ParsedSubmission) -> pa.Table:
    rows = [
        (parsed.submission_id, seq, m.severity, m.rule, m.source_row, m.column_header, m.value,
         m.message)
        for seq, m in enumerate(parsed.messages, start=1)
    ]  # fmt: skip
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in _MESSAGE_SCHEMA]
    return pa.Table.from_arrays(
        [pa.array(c, f.type) for c, f in zip(columns, _MESSAGE_SCHEMA, strict=True)],
        schema=_MESSAGE_SCHEMA,
    )


def _register(con: duckdb.DuckDBPyConnection, parsed: ParsedSubmission) -> None:
    con.execute(
        """
        INSERT INTO raw.submissions VALUES
            (?, ?, ?, ?, ?, ?, now(), ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
            parsed.submission_id, parsed.unit_code, parsed.file_name, parsed.sha256,
            parsed.size_bytes, parsed.received_at, parsed.archive_path, parsed.ledger_kind,
            parsed.file_format, parsed.encoding, parsed.outcome, parsed.row_count,
            parsed.error_count, parsed.warning_count, parsed.is_sample,
        ],
    )  # fmt: skip


def _load_rows(con: duckdb.DuckDBPyConnection, parsed: ParsedSubmission) -> None:
    con.execute(
        f"""
        INSERT INTO raw.{parsed.ledger_kind} BY NAME
        SELECT ? AS submission_id, ? AS unit_code, ? AS sha256,
               ?::TIMESTAMPTZ AS received_at, *
        FROM read_parquet(?)
        """,
        [
            parsed.submission_id, parsed.unit_code, parsed.sha256, parsed.received_at,
            parsed.rows_path,
        ],
    )  # fmt: skip


def promote(con: duckdb.DuckDBPyConnection, parsed: ParsedSubmission) -> bool:
    """Register ``parsed`` (and load its rows if accepted); False when it was already there.

    The staged rows file is removed afterwards either way.
    """
    if parsed.outcome == "accepted" and parsed.ledger_kind and not parsed.rows_path:
        raise ValueError(f"{parsed.submission_id}: accepted without staged rows")
    con.execute("BEGIN TRANSACTION")
    try:
        new = _insert(con, parsed)
        con.execute("COMMIT" if new else "ROLLBACK")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    if parsed.rows_path:
        staged = Path(parsed.rows_path)
        staged.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            staged.parent.rmdir()
    return new


def _insert(con: duckdb.DuckDBPyConnection, parsed: ParsedSubmission) -> bool:
    known = con.execute(
        "SELECT count(*) FROM raw.submissions WHERE unit_code = ? AND sha256 = ?",
        [parsed.unit_code, parsed.sha256],
    ).fetchone()
    if known and known[0]:
        return False
    _register(con, parsed)
    con.register("_xinfang_messages", _messages(parsed))
    try:
        con.execute("INSERT INTO raw.submission_messages SELECT * FROM _xinfang_messages")
    finally:
        con.unregister("_xinfang_messages")
    if parsed.outcome == "accepted" and parsed.rows_path:
        _load_rows(con, parsed)
    return True
