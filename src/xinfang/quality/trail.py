"""Reading the audit trail: which checks a submission passed, and which rows failed.

What ``xinfang audit`` prints, as data. Reads ``audit.*`` (and ``raw.submissions`` for the
outcome in force, when it is there); writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from xinfang.quality.audit import Acceptance, current_outcome
from xinfang.reference import units


class UnitNotFound(LookupError):
    pass


def unit_codes(text: str) -> list[str]:
    """``410883`` or ``孟州市`` (or ``孟州市|410883``) -> the unit codes meant."""
    codes: list[str] = []
    for part in (p.strip() for p in text.split("|")):
        if part.isdigit():
            codes.append(part)
        else:
            codes += [u.code for u in units().values() if part in (u.name, u.code)]
    found = list(dict.fromkeys(codes))
    if not found:
        raise UnitNotFound(f"没有名为「{text}」的报送单位 / no unit named {text!r}")
    return found


@dataclass(frozen=True)
class CheckRow:
    suite_name: str
    rule: str
    severity: str
    hold: bool
    expectation_type: str
    column: str | None
    success: bool
    evaluated: bool
    unexpected_count: int
    source_rows: tuple[int, ...]


@dataclass(frozen=True)
class FailureRow:
    severity: str
    rule: str
    source_row: int | None
    column_header: str | None
    value: str | None
    message: str


@dataclass(frozen=True)
class RunRow:
    run_id: str
    suite_name: str
    suite_sha256: str
    gx_version: str
    started_at: datetime
    success: bool


@dataclass(frozen=True)
class SubmissionTrail:
    submission_id: str
    unit_code: str
    ledger_kind: str
    file_name: str
    sha256: str
    received_at: datetime
    #: As recorded by the gate; ``outcome`` is the one in force now.
    recorded_outcome: str
    outcome: str
    runs: tuple[RunRow, ...]
    checks: tuple[CheckRow, ...]
    failures: tuple[FailureRow, ...]
    acceptances: tuple[Acceptance, ...]


def find(
    con: duckdb.DuckDBPyConnection,
    *,
    unit: str | None = None,
    on: date | None = None,
    submission_id: str | None = None,
) -> list[str]:
    """Submission ids with recorded runs: of a unit (name or code), received on a day
    (Asia/Shanghai), or by id; oldest first."""
    where, params = [], []
    if submission_id:
        where.append("submission_id = ?")
        params.append(submission_id)
    if unit:
        where.append("unit_code IN (SELECT unnest(?))")
        params.append(unit_codes(unit))
    if on:
        where.append("CAST(timezone('Asia/Shanghai', received_at) AS DATE) = ?")
        params.append(on)
    clause = " AND ".join(where) or "true"
    rows = con.execute(
        f"""
        SELECT submission_id FROM audit.validation_runs WHERE {clause}
        GROUP BY submission_id ORDER BY min(received_at), submission_id
        """,
        params,
    ).fetchall()
    return [r[0] for r in rows]


def load(con: duckdb.DuckDBPyConnection, submission_id: str) -> SubmissionTrail:
    runs = con.execute(
        """
        SELECT run_id, suite_name, suite_sha256, gx_version, started_at, success,
               unit_code, ledger_kind, file_name, sha256, received_at, outcome
        FROM audit.validation_runs WHERE submission_id = ? ORDER BY started_at
        """,
        [submission_id],
    ).fetchall()
    if not runs:
        raise LookupError(f"没有报送 {submission_id} 的质量检查记录")
    checks = con.execute(
        """
        SELECT r.suite_name, e.rule, e.severity, e.hold, e.expectation_type, e.column_name,
               e.success, e.evaluated, e.unexpected_count, e.source_rows
        FROM audit.expectation_results AS e JOIN audit.validation_runs AS r USING (run_id)
        WHERE r.submission_id = ? ORDER BY r.started_at, e.seq
        """,
        [submission_id],
    ).fetchall()
    failures = con.execute(
        """
        SELECT f.severity, f.rule, f.source_row, f.column_header, f.value, f.message
        FROM audit.row_failures AS f JOIN audit.validation_runs AS r USING (run_id)
        WHERE r.submission_id = ? ORDER BY f.source_row NULLS FIRST, r.started_at, f.seq, f.n
        """,
        [submission_id],
    ).fetchall()
    accepted = con.execute(
        """
        SELECT submission_id, accepted_at, accepted_by, reason, outcome_before, outcome_after
        FROM audit.acceptances WHERE submission_id = ? ORDER BY accepted_at
        """,
        [submission_id],
    ).fetchall()
    *_, unit_code, kind, file_name, sha256, received_at, recorded = runs[-1]
    acceptances = tuple(Acceptance(*a) for a in accepted)
    return SubmissionTrail(
        submission_id=submission_id,
        unit_code=unit_code,
        ledger_kind=kind,
        file_name=file_name,
        sha256=sha256,
        received_at=received_at,
        recorded_outcome=recorded,
        outcome=current_outcome(con, submission_id, recorded),
        runs=tuple(RunRow(*r[:6]) for r in runs),
        checks=tuple(CheckRow(*c[:9], tuple(c[9])) for c in checks),
        failures=tuple(FailureRow(*f) for f in failures),
        acceptances=acceptances,
    )
