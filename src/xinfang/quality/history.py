"""The unit's previous accepted submission of a ledger, read from the warehouse.

Called by the serial promote step (which alone knows, when a night brings several files of a
unit, which of them was accepted before this one) with its own connection; reads only.
"""

from __future__ import annotations

import duckdb

from xinfang.quality.frames import PreviousSubmission
from xinfang.quality.results import Submission
from xinfang.quality.suites import REGISTRATION_DATE
from xinfang.schema import LEDGERS


def previous_submission(
    con: duckdb.DuckDBPyConnection, submission: Submission
) -> PreviousSubmission | None:
    """The latest accepted submission of the same unit and ledger that arrived before this one
    (by received time, ties by file name, as ``ledgers.md`` orders submissions)."""
    s = submission
    found = con.execute(
        """
        SELECT submission_id, received_at, file_name
        FROM raw.submissions
        WHERE unit_code = ? AND ledger_kind = ? AND outcome = 'accepted'
          AND submission_id <> ?
          AND (received_at < ? OR (received_at = ? AND file_name < ?))
        ORDER BY received_at DESC, file_name DESC
        LIMIT 1
        """,
        [s.unit_code, s.ledger_kind, s.submission_id, s.received_at, s.received_at, s.file_name],
    ).fetchall()
    if not found:
        return None
    ((submission_id, received_at, file_name),) = found
    ledger = LEDGERS[s.ledger_kind]
    rows = con.sql(
        f"""
        SELECT {ledger.key} AS key, {REGISTRATION_DATE[ledger.kind]} AS registration_date
        FROM raw.{ledger.kind} WHERE submission_id = ? ORDER BY source_row
        """,
        params=[submission_id],
    ).to_arrow_table()
    return PreviousSubmission(submission_id, received_at, file_name, rows.to_pandas())
