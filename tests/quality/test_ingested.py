"""The gate on what ingestion really produces from sample ledgers (``xinfang synth``).

Good county files must pass (no false alarms); a unit's second snapshot is compared with its
first, read back from the warehouse ingestion loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from xinfang import ingest
from xinfang.config import Settings
from xinfang.quality import GateResult, Submission, compare, previous_submission, record, validate
from xinfang.synth import generate
from xinfang.warehouse import connect


@dataclass(frozen=True)
class Promoted:
    parsed: ingest.ParsedSubmission
    gate: GateResult
    previous_id: str | None


@pytest.fixture(scope="module")
def promoted(tmp_path_factory) -> list[Promoted]:
    root = tmp_path_factory.mktemp("ingested")
    settings = Settings(root / "inbox", root / "warehouse.duckdb", root / "archive", root / "r")
    generate(
        settings.inbox,
        root / "manifest",
        units=["410883"],
        months=2,
        snapshots=2,
        bad_files=False,
        jobs=1,
    )
    candidates = sorted(ingest.discover(settings), key=lambda c: c.arrival)
    con = connect(settings.warehouse)
    out = []
    for candidate in candidates:
        parsed = ingest.parse(candidate, settings)
        rows = pq.read_table(parsed.rows_path)  # what promote will load
        submission = Submission(
            parsed.submission_id,
            parsed.unit_code,
            parsed.ledger_kind,
            parsed.sha256,
            parsed.file_name,
            parsed.received_at,
            parsed.columns,
        )
        gate = validate(rows, submission, reported=parsed.messages)
        previous = previous_submission(con, submission)
        gate = compare(gate, previous)
        assert ingest.promote(con, parsed)
        record(con, gate)
        out.append(Promoted(parsed, gate, previous.submission_id if previous else None))
    con.close()
    return out


def test_good_county_files_pass_the_gate(promoted):
    assert sorted(p.parsed.ledger_kind for p in promoted) == sorted(
        ["petitions", "risks", "backlog"] * 2
    )
    for p in promoted:
        assert p.parsed.outcome == "accepted"
        assert p.gate.outcome == "accepted", [m.message for m in p.gate.messages]
        assert not [c for c in p.gate.checks if not c.evaluated]


def test_each_second_snapshot_is_compared_with_the_first(promoted):
    first: dict[str, str] = {}
    for p in promoted:
        kind = p.parsed.ledger_kind
        assert p.previous_id == first.get(kind)
        first.setdefault(kind, p.parsed.submission_id)
        checks = {c.rule: c for c in p.gate.runs[-1].checks}
        assert checks["submission.row_drop_hold"].success
        assert checks["submission.keys_vanished"].success


def test_the_headers_as_written_reach_the_messages(promoted):
    petitions = next(p for p in promoted if p.parsed.ledger_kind == "petitions")
    assert petitions.gate.submission.headers == petitions.parsed.columns
    assert Path(petitions.parsed.archive_path).suffix in (".xlsx", ".xls", ".csv")
