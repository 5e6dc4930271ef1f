"""How long the archive keeps what the counties sent: ``XINFANG_ARCHIVE_RETENTION_DAYS``.

The archived files are the one place the platform keeps personal data as the counties wrote it
(names, phone and ID numbers); the warehouse holds pseudonyms only. So an archived file, and
the clerk's reports beside it, are deleted once received longer ago than the retention period
(default five years: ``ledgers.md`` sets none; five years covers re-issuing and auditing any
recent bulletin) -- except the submission in force for its unit and ledger (the unit's latest
accepted one, as ``raw.<kind>_current`` orders them), which is kept whatever its age. The
registry keeps every submission's row, its messages and its archive path.
"""

from __future__ import annotations

import logging
import os
from contextlib import suppress
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from xinfang.ingest.submission import SHANGHAI

log = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 5 * 365

_EXPIRED = """
WITH in_force AS (
    SELECT submission_id
    FROM raw.submissions
    WHERE outcome = 'accepted'
    QUALIFY row_number() OVER (PARTITION BY unit_code, ledger_kind
                               ORDER BY received_at DESC, file_name DESC, submission_id DESC) = 1
)
SELECT archive_path, sha256
FROM raw.submissions
WHERE received_at < ? AND archive_path <> ''
  AND submission_id NOT IN (SELECT submission_id FROM in_force)
ORDER BY received_at, submission_id
"""


def retention_days() -> int:
    """``XINFANG_ARCHIVE_RETENTION_DAYS``: a whole number of days, at least 1."""
    text = os.environ.get("XINFANG_ARCHIVE_RETENTION_DAYS", "").strip()
    if not text:
        return DEFAULT_RETENTION_DAYS
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"XINFANG_ARCHIVE_RETENTION_DAYS must be a number of days >= 1: {text!r}")
    return int(text)


def prune_archive(
    con: duckdb.DuckDBPyConnection,
    archive: Path,
    *,
    days: int | None = None,
    now: datetime | None = None,
) -> list[Path]:
    """Delete the archived files past retention (see above); their paths, relative to
    ``archive``. Reads the registry through ``con``; run it where ingestion writes."""
    days = retention_days() if days is None else days
    cutoff = (now or datetime.now(SHANGHAI)) - timedelta(days=days)
    pruned: list[Path] = []
    for relative, sha256 in con.execute(_EXPIRED, [cutoff]).fetchall():
        if not (archive / relative).exists():  # pruned before (or never stored)
            continue
        folder = (archive / relative).parent
        for path in sorted(folder.glob(f"{sha256}.*")):  # the file and its clerk's reports
            path.unlink(missing_ok=True)
            pruned.append(path.relative_to(archive))
        with suppress(OSError):
            folder.rmdir()  # when empty
    if pruned:
        log.info(
            "archive: deleted %d files received before %s (retention %d days): %s",
            len(pruned), f"{cutoff:%Y-%m-%d}", days, ", ".join(map(str, pruned)),
        )  # fmt: skip
    return pruned
