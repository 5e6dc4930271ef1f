"""Load one parsed submission into the warehouse: the only code that writes the raw layer.

One transaction per submission: the quality gate's comparison with the unit's previous accepted
submission (which only this serial step knows for sure), the registry row, its messages, the
gate's audit rows and, unless rejected, its rows (read from the staged Parquet file by DuckDB,
with the lineage columns added; a held submission's too, so accepting it later only flips its
outcome). A rejected submission gets its registry row, messages and audit rows only. A (unit,
SHA-256) already registered changes nothing. Call it from one process at a time, in arrival
order. The clerk's report of any messages goes beside the archived file before the commit, so a
process killed at any point leaves either the submission registered with its report, or nothing
registered (the next run does it all again); the staged rows are removed after the commit.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from xinfang.ingest.archive import discard_rows
from xinfang.ingest.messages import Message
from xinfang.ingest.submission import ParsedSubmission
from xinfang.reference import units

if TYPE_CHECKING:
    from xinfang.quality import GateResult

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


def promote(
    con: duckdb.DuckDBPyConnection, parsed: ParsedSubmission, *, archive: Path | None = None
) -> bool:
    """Register ``parsed`` (see :func:`register`); False when it was already there."""
    return register(con, parsed, archive=archive) is not None


def register(
    con: duckdb.DuckDBPyConnection, parsed: ParsedSubmission, *, archive: Path | None = None
) -> ParsedSubmission | None:
    """Register ``parsed`` and load its rows unless rejected; the submission as registered
    (with the comparison's messages and the final outcome), None when it was already there.

    The staged rows file is removed afterwards either way. ``archive``: the archive root, to
    write the clerk's report in (none written without it).
    """
    if parsed.outcome != "rejected" and parsed.ledger_kind and not parsed.rows_path:
        raise ValueError(f"{parsed.submission_id}: {parsed.outcome} without staged rows")
    con.execute("BEGIN TRANSACTION")
    try:
        registered = _insert(con, parsed)
        if registered and registered.messages and registered.archive_path and archive:
            _write_report(registered, archive)
        con.execute("COMMIT" if registered else "ROLLBACK")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    if parsed.rows_path:
        discard_rows(Path(parsed.rows_path))
    return registered


def _judge(
    con: duckdb.DuckDBPyConnection, parsed: ParsedSubmission
) -> tuple[ParsedSubmission, GateResult | None]:
    """The gate's result completed by the comparison with the unit's previous accepted
    submission, and ``parsed`` with its messages and the gate's final verdict."""
    if parsed.gate is None:
        return parsed, None
    from xinfang import quality

    gate = quality.GateResult.from_dict(parsed.gate)
    compared = quality.compare(gate, quality.previous_submission(con, gate.submission))
    added = [Message(**asdict(m)) for m in compared.messages[len(gate.messages) :]]
    return replace(parsed.with_messages(added), gate_outcome=compared.outcome), compared


def _insert(con: duckdb.DuckDBPyConnection, parsed: ParsedSubmission) -> ParsedSubmission | None:
    known = con.execute(
        "SELECT count(*) FROM raw.submissions WHERE unit_code = ? AND sha256 = ?",
        [parsed.unit_code, parsed.sha256],
    ).fetchone()
    if known and known[0]:
        return None
    parsed, gate = _judge(con, parsed)
    _register(con, parsed)
    con.register("_xinfang_messages", _messages(parsed))
    try:
        con.execute("INSERT INTO raw.submission_messages SELECT * FROM _xinfang_messages")
    finally:
        con.unregister("_xinfang_messages")
    if parsed.outcome != "rejected" and parsed.rows_path:
        _load_rows(con, parsed)
    if gate is not None:
        from xinfang import quality

        quality.record(con, gate, outcome=parsed.outcome)
    return parsed


def _write_report(parsed: ParsedSubmission, archive: Path) -> None:
    """The clerk's ``.rejection``/``.warnings`` ``.xlsx`` and ``.html`` beside the archive."""
    from xinfang.quality import write_clerk_report

    unit = units().get(parsed.unit_code)
    write_clerk_report(
        parsed.messages,
        archive / parsed.archive_path,
        unit_name=unit.name if unit else parsed.unit_code,
        file_name=parsed.file_name,
        outcome=parsed.outcome,
        received_at=parsed.received_at,
    )
