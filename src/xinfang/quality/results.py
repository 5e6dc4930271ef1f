"""What the gate returns: plain, picklable data, computed without touching the warehouse.

Validation runs in parallel and read-only; the serial promote step hands a :class:`GateResult`
to :func:`xinfang.quality.audit.record` in the same transaction as the submission.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Literal

import pandas as pd

from xinfang.quality.frames import as_keys
from xinfang.quality.rules import SHANGHAI, Severity
from xinfang.reference import units

Outcome = Literal["accepted", "held", "rejected"]


@dataclass(frozen=True)
class Submission:
    """The file being validated, as ingestion knows it."""

    submission_id: str
    unit_code: str
    ledger_kind: str
    sha256: str
    file_name: str
    received_at: datetime
    #: Field name -> the header as written in the file, for every column the file had.
    #: ``None``: every column of the frame was in the file under its canonical header.
    headers: Mapping[str, str] | None = None

    @property
    def unit_name(self) -> str:
        unit = units().get(self.unit_code)
        return unit.name if unit else self.unit_code

    @property
    def received_on(self) -> date:
        at = self.received_at
        return (at.astimezone(SHANGHAI) if at.tzinfo else at).date()


@dataclass(frozen=True)
class Message:
    """One problem for the clerk: the columns of ``raw.submission_messages``, the same fields
    as ingestion's ``xinfang.ingest.messages.Message`` (how to fix it: ``rules.fix_for``)."""

    severity: Severity
    rule: str
    source_row: int | None  # Excel row as the clerk sees it; None for a file-level problem
    column_header: str | None  # as written in the file
    value: str | None  # as written, personal data masked
    message: str


@dataclass(frozen=True)
class CheckResult:
    """One expectation's outcome on one submission."""

    expectation_id: str
    expectation_type: str
    rule: str
    severity: Severity
    hold: bool
    column: str | None
    kwargs: dict[str, Any]
    success: bool
    #: False when a column the check needs is missing (``column.missing`` says so) or it raised.
    evaluated: bool
    unexpected_count: int
    #: Up to 20 distinct offending values, personal data masked.
    sample_values: tuple[str, ...]
    #: Every offending row, as the clerk numbers it in Excel.
    source_rows: tuple[int, ...]
    messages: tuple[Message, ...]
    exception: str | None = None


@dataclass(frozen=True)
class ValidationRun:
    """One suite validated on one submission."""

    run_id: str
    suite_name: str
    suite_sha256: str
    gx_version: str
    started_at: datetime
    finished_at: datetime
    checks: tuple[CheckResult, ...]
    #: GX's own result (JSON, long lists cut): Data Docs are built from it.
    gx_result: dict[str, Any] = field(repr=False)

    @property
    def success(self) -> bool:
        return all(c.success for c in self.checks)


@dataclass(frozen=True)
class GateResult:
    submission: Submission
    runs: tuple[ValidationRun, ...]
    #: ``key``, ``source_row``, ``registration_date`` of every row, for the submission checks.
    snapshot: pd.DataFrame = field(repr=False)

    @property
    def checks(self) -> tuple[CheckResult, ...]:
        return tuple(c for run in self.runs for c in run.checks)

    @property
    def failed(self) -> tuple[CheckResult, ...]:
        return tuple(c for c in self.checks if not c.success)

    @property
    def outcome(self) -> Outcome:
        """Any failed error rejects; else a failed holding warning holds; else accepted."""
        if any(c.severity == "error" for c in self.failed):
            return "rejected"
        if any(c.hold for c in self.failed):
            return "held"
        return "accepted"

    @property
    def messages(self) -> list[Message]:
        return [m for c in self.failed for m in c.messages]

    def count(self, severity: Severity) -> int:
        """Problems of a severity: offending rows of each failed check (a table check is one)."""
        return sum(max(c.unexpected_count, 1) for c in self.failed if c.severity == severity)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able, for a spool file between the parse and promote steps."""
        s = self.submission
        return {
            "submission": asdict(s) | {"received_at": s.received_at.isoformat()},
            "runs": [
                asdict(r)
                | {"started_at": r.started_at.isoformat(), "finished_at": r.finished_at.isoformat()}
                for r in self.runs
            ],
            "snapshot": {
                "key": [None if pd.isna(k) else k for k in self.snapshot["key"]],
                "source_row": self.snapshot["source_row"].tolist(),
                "registration_date": [
                    None if pd.isna(d) else d.date().isoformat()
                    for d in self.snapshot["registration_date"]
                ],
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GateResult:
        sub = data["submission"]
        submission = Submission(**sub | {"received_at": datetime.fromisoformat(sub["received_at"])})
        runs = tuple(_run_from_dict(r) for r in data["runs"])
        snap = data["snapshot"]
        snapshot = pd.DataFrame(
            {
                "key": as_keys(pd.Series(snap["key"], dtype=object)),
                "source_row": pd.Series(snap["source_row"], dtype="int64"),
                "registration_date": pd.to_datetime(
                    pd.Series(snap["registration_date"], dtype=object)
                ),
            }
        )
        return cls(submission, runs, snapshot)


def _run_from_dict(data: dict[str, Any]) -> ValidationRun:
    return ValidationRun(
        **data
        | {
            "started_at": datetime.fromisoformat(data["started_at"]),
            "finished_at": datetime.fromisoformat(data["finished_at"]),
            "checks": tuple(_check_from_dict(c) for c in data["checks"]),
        }
    )


def _check_from_dict(data: dict[str, Any]) -> CheckResult:
    return CheckResult(
        **data
        | {
            "sample_values": tuple(data["sample_values"]),
            "source_rows": tuple(data["source_rows"]),
            "messages": tuple(Message(**m) for m in data["messages"]),
        }
    )
