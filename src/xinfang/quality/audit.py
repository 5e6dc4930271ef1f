"""The audit trail in the warehouse (schema ``audit``): append-only, written by one writer.

- ``audit.validation_runs``: every suite validated on every submission (suite file hash, GX
  version, times, success, the submission's outcome, GX's own result for Data Docs).
- ``audit.expectation_results``: every expectation's result in those runs.
- ``audit.row_failures``: the clerk's messages of the failed ones (row, header, masked value).
- ``audit.acceptances``: an operator's acceptance of a held or warned submission: who, when, why.

Nothing here updates or deletes an audit row. :func:`record` is called by the serial promote
step inside its transaction; :func:`accept` runs its own.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from xinfang.quality.results import CheckResult, GateResult, Message, Outcome, ValidationRun
from xinfang.quality.rules import fix_for

DDL = """
CREATE SCHEMA IF NOT EXISTS audit;
CREATE TABLE IF NOT EXISTS audit.validation_runs (
    run_id           VARCHAR PRIMARY KEY,
    submission_id    VARCHAR NOT NULL,
    unit_code        VARCHAR NOT NULL,
    ledger_kind      VARCHAR NOT NULL,
    file_name        VARCHAR NOT NULL,
    sha256           VARCHAR NOT NULL,      -- of the submitted bytes
    received_at      TIMESTAMPTZ NOT NULL,
    suite_name       VARCHAR NOT NULL,
    suite_sha256     VARCHAR NOT NULL,      -- of expectations/expectations/<suite>.json
    gx_version       VARCHAR NOT NULL,
    started_at       TIMESTAMPTZ NOT NULL,
    finished_at      TIMESTAMPTZ NOT NULL,
    success          BOOLEAN NOT NULL,      -- every expectation of the suite passed
    outcome          VARCHAR NOT NULL,      -- the submission's: accepted | held | rejected
    evaluated_checks INTEGER NOT NULL,
    failed_checks    INTEGER NOT NULL,
    recorded_at      TIMESTAMPTZ NOT NULL,
    gx_result        JSON NOT NULL          -- GX's result, long lists cut, no personal data
);
CREATE TABLE IF NOT EXISTS audit.expectation_results (
    run_id            VARCHAR NOT NULL,
    seq               INTEGER NOT NULL,     -- order within the suite
    expectation_id    VARCHAR NOT NULL,
    expectation_type  VARCHAR NOT NULL,
    rule              VARCHAR NOT NULL,
    severity          VARCHAR NOT NULL,     -- error | warning
    hold              BOOLEAN NOT NULL,     -- a failure holds the submission for an operator
    column_name       VARCHAR,
    kwargs            JSON NOT NULL,        -- with the run's parameters filled in
    success           BOOLEAN NOT NULL,
    evaluated         BOOLEAN NOT NULL,     -- false: a column it needs is missing, or it raised
    unexpected_count  INTEGER NOT NULL,
    sample_values     VARCHAR[] NOT NULL,   -- personal data masked
    source_rows       INTEGER[] NOT NULL,   -- Excel rows as the clerk sees them
    exception         VARCHAR,
    PRIMARY KEY (run_id, seq)
);
CREATE TABLE IF NOT EXISTS audit.row_failures (
    run_id         VARCHAR NOT NULL,
    seq            INTEGER NOT NULL,        -- the expectation's seq
    n              INTEGER NOT NULL,        -- order of the message within it
    severity       VARCHAR NOT NULL,
    rule           VARCHAR NOT NULL,
    source_row     INTEGER,
    column_header  VARCHAR,                 -- as written in the file
    value          VARCHAR,                 -- personal data masked
    message        VARCHAR NOT NULL,
    fix            VARCHAR NOT NULL,
    PRIMARY KEY (run_id, seq, n)
);
CREATE TABLE IF NOT EXISTS audit.acceptances (
    submission_id   VARCHAR NOT NULL,
    accepted_at     TIMESTAMPTZ NOT NULL,
    accepted_by     VARCHAR NOT NULL,
    reason          VARCHAR NOT NULL,
    outcome_before  VARCHAR NOT NULL,       -- held | accepted (with warnings)
    outcome_after   VARCHAR NOT NULL
);
"""


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)


def record(
    con: duckdb.DuckDBPyConnection, result: GateResult, *, outcome: Outcome | None = None
) -> None:
    """Append a gate result to the audit tables, in the caller's transaction.

    ``outcome`` is the submission's final outcome when ingestion decided more than the gate
    (e.g. a parse error rejected it); by default the gate's own.
    """
    ensure_schema(con)
    now = datetime.now(UTC)
    runs, checks, failures = [], [], []
    for run in result.runs:
        runs.append(_run_row(result, run, outcome or result.outcome, now))
        for seq, c in enumerate(run.checks):
            checks.append(_check_row(run.run_id, seq, c))
            failures += [_failure_row(run.run_id, seq, n, m) for n, m in enumerate(c.messages)]
    _append(con, "validation_runs", runs)
    _append(con, "expectation_results", checks)
    _append(con, "row_failures", failures)


def _run_row(result: GateResult, run: ValidationRun, outcome: str, now: datetime) -> dict:
    s = result.submission
    return {
        "run_id": run.run_id,
        "submission_id": s.submission_id,
        "unit_code": s.unit_code,
        "ledger_kind": s.ledger_kind,
        "file_name": s.file_name,
        "sha256": s.sha256,
        "received_at": s.received_at,
        "suite_name": run.suite_name,
        "suite_sha256": run.suite_sha256,
        "gx_version": run.gx_version,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "success": run.success,
        "outcome": outcome,
        "evaluated_checks": sum(c.evaluated for c in run.checks),
        "failed_checks": sum(not c.success for c in run.checks),
        "recorded_at": now,
        "gx_result": json.dumps(run.gx_result, ensure_ascii=False),
    }


def _check_row(run_id: str, seq: int, c: CheckResult) -> dict:
    return {
        "run_id": run_id,
        "seq": seq,
        "expectation_id": c.expectation_id,
        "expectation_type": c.expectation_type,
        "rule": c.rule,
        "severity": c.severity,
        "hold": c.hold,
        "column_name": c.column,
        "kwargs": json.dumps(c.kwargs, ensure_ascii=False, default=str),
        "success": c.success,
        "evaluated": c.evaluated,
        "unexpected_count": c.unexpected_count,
        "sample_values": list(c.sample_values),
        "source_rows": list(c.source_rows),
        "exception": c.exception,
    }


def _failure_row(run_id: str, seq: int, n: int, m: Message) -> dict:
    return {
        "run_id": run_id,
        "seq": seq,
        "n": n,
        **asdict(m),
        "fix": fix_for(m.rule, m.column_header),
    }


_LIST_TYPES = {"sample_values": pa.list_(pa.string()), "source_rows": pa.list_(pa.int32())}


def _append(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, object]]) -> None:
    if not rows:
        return
    arrays = {k: pa.array([r[k] for r in rows], type=_LIST_TYPES.get(k)) for k in rows[0]}
    con.register("audit_batch", pa.table(arrays))
    try:
        con.execute(f"INSERT INTO audit.{table} BY NAME SELECT * FROM audit_batch")
    finally:
        con.unregister("audit_batch")


class CannotForce(ValueError):
    """An operator tried to accept a submission the gate rejected: errors can never be forced."""


@dataclass(frozen=True)
class Acceptance:
    submission_id: str
    accepted_at: datetime
    accepted_by: str
    reason: str
    outcome_before: str
    outcome_after: str


def accept(
    con: duckdb.DuckDBPyConnection,
    submission_id: str,
    *,
    by: str,
    reason: str,
    now: datetime | None = None,
) -> Acceptance:
    """Accept a held submission (promoting it) or acknowledge a warned one, with a reason.

    Refuses (:class:`CannotForce`) a submission with any failed error-level check or a
    rejected outcome, whoever asks and whatever the reason.
    """
    if not reason.strip():
        raise ValueError("请填写确认理由（--reason）")
    if not by.strip():
        raise ValueError("请填写确认人")
    ensure_schema(con)
    recorded, errors, warnings = one(
        con,
        """
        SELECT arg_max(r.outcome, r.started_at),
               count(*) FILTER (WHERE NOT e.success AND e.severity = 'error'),
               count(*) FILTER (WHERE NOT e.success AND e.severity = 'warning')
        FROM audit.validation_runs AS r JOIN audit.expectation_results AS e USING (run_id)
        WHERE r.submission_id = ?
        """,
        [submission_id],
    )
    if recorded is None:
        raise LookupError(f"没有报送 {submission_id} 的质量检查记录")
    outcome = current_outcome(con, submission_id, recorded)
    if errors or outcome == "rejected":
        raise CannotForce(
            f"报送 {submission_id} 有 {errors} 项错误级检查未通过（结论：退回），不能强制通过；"
            "请退回报送单位更正后重新报送"
        )
    if outcome == "accepted" and not warnings:
        raise ValueError(f"报送 {submission_id} 已通过且没有警告，无需确认")
    after = "accepted"
    acceptance = Acceptance(
        submission_id, now or datetime.now(UTC), by, reason.strip(), outcome, after
    )
    con.execute("BEGIN TRANSACTION")
    try:
        if outcome == "held" and _has_registry(con):
            con.execute(
                "UPDATE raw.submissions SET outcome = 'accepted' "
                "WHERE submission_id = ? AND outcome = 'held'",
                [submission_id],
            )
        con.execute(
            "INSERT INTO audit.acceptances VALUES (?, ?, ?, ?, ?, ?)",
            [
                acceptance.submission_id,
                acceptance.accepted_at,
                acceptance.accepted_by,
                acceptance.reason,
                acceptance.outcome_before,
                acceptance.outcome_after,
            ],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return acceptance


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> tuple:
    """The single row of a query (fetched to the end, as DuckDB wants before the next one)."""
    (row,) = con.execute(sql, params or []).fetchall()
    return row


def _has_registry(con: duckdb.DuckDBPyConnection) -> bool:
    (n,) = one(
        con,
        "SELECT count(*) FROM duckdb_tables() "
        "WHERE schema_name = 'raw' AND table_name = 'submissions'",
    )
    return bool(n)


def current_outcome(con: duckdb.DuckDBPyConnection, submission_id: str, recorded: str) -> str:
    """The outcome in force: as registered by ingestion (``raw.submissions``) when it is there,
    else as the gate recorded it, promoted by an operator's acceptance."""
    if _has_registry(con):
        (registered,) = one(
            con,
            "SELECT any_value(outcome) FROM raw.submissions WHERE submission_id = ?",
            [submission_id],
        )
        if registered:
            return registered
    (after,) = one(
        con,
        "SELECT arg_max(outcome_after, accepted_at) FROM audit.acceptances WHERE submission_id = ?",
        [submission_id],
    )
    return after or recorded
