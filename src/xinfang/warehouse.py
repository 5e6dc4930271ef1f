"""The warehouse's raw layer: DDL and connections.

``raw.submissions`` is the registry of every file ever seen, ``raw.submission_messages`` every
clerk message, and ``raw.<ledger kind>`` the append-only ledger rows of accepted (and held: in
force once an operator accepts them, ``xinfang accept``) submissions with their lineage. dbt
reads these as sources; nothing but ingestion writes them.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from xinfang.schema import LEDGERS, raw_columns

REGISTRY_DDL = """
CREATE TABLE IF NOT EXISTS raw.submissions (
    submission_id  VARCHAR PRIMARY KEY,   -- <unit_code>-<first 16 hex of sha256>
    unit_code      VARCHAR NOT NULL,      -- the inbox folder name (may be unknown to reference)
    file_name      VARCHAR NOT NULL,      -- as dropped by the county, for messages
    sha256         VARCHAR NOT NULL,
    size_bytes     BIGINT NOT NULL,
    received_at    TIMESTAMPTZ NOT NULL,  -- the file's modification time in the inbox
    ingested_at    TIMESTAMPTZ NOT NULL,
    archive_path   VARCHAR NOT NULL,      -- relative to XINFANG_ARCHIVE
    ledger_kind    VARCHAR,               -- petitions | risks | backlog; NULL when unrecognised
    file_format    VARCHAR,               -- xlsx | xls | csv
    encoding       VARCHAR,               -- csv only: utf-8 | utf-8-sig | gb18030
    outcome        VARCHAR NOT NULL,      -- accepted | held (loaded; not in force) | rejected
    row_count      INTEGER NOT NULL,      -- data rows read (0 when unreadable)
    error_count    INTEGER NOT NULL,
    warning_count  INTEGER NOT NULL,
    is_sample      BOOLEAN NOT NULL,      -- the file says 示例数据: bulletins must say so too
    UNIQUE (unit_code, sha256)
);
CREATE TABLE IF NOT EXISTS raw.submission_messages (
    submission_id  VARCHAR NOT NULL,
    seq            INTEGER NOT NULL,      -- order within the submission
    severity       VARCHAR NOT NULL,      -- error | warning
    rule           VARCHAR NOT NULL,      -- stable rule id, e.g. date.invalid
    source_row     INTEGER,               -- Excel row number as the clerk sees it
    column_header  VARCHAR,               -- the header as written in the file
    value          VARCHAR,               -- the offending value, personal data masked
    message        VARCHAR NOT NULL,      -- the full Chinese sentence for the clerk
    PRIMARY KEY (submission_id, seq)
);
"""


def ledger_ddl(kind: str) -> str:
    cols = ",\n    ".join(f"{name} {sql_type}" for name, sql_type in raw_columns(LEDGERS[kind]))
    return f"CREATE TABLE IF NOT EXISTS raw.{kind} (\n    {cols}\n);"


def current_view_ddl(kind: str) -> str:
    """``raw.<kind>_current``: the latest accepted version of each key, older keys kept.

    Submissions are ordered by received time, ties by file name (``ledgers.md``). A key whose
    latest version is not in the unit's latest accepted submission is ``absent_from_latest``.
    """
    key = LEDGERS[kind].key
    return f"""
CREATE OR REPLACE VIEW raw.{kind}_current AS
WITH accepted AS (
    SELECT submission_id, file_name,
           row_number() OVER (PARTITION BY unit_code
                              ORDER BY received_at DESC, file_name DESC, submission_id DESC)
               AS recency
    FROM raw.submissions
    WHERE outcome = 'accepted' AND ledger_kind = '{kind}'
), versions AS (
    SELECT r.*, a.recency,
           row_number() OVER (PARTITION BY r.unit_code, r.{key}
                              ORDER BY r.received_at DESC, a.file_name DESC,
                                       r.submission_id DESC) AS version
    FROM raw.{kind} AS r
    JOIN accepted AS a USING (submission_id)
)
SELECT * EXCLUDE (recency, version), recency > 1 AS absent_from_latest
FROM versions
WHERE version = 1;
"""


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; the writer also makes sure the raw layer exists."""
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(REGISTRY_DDL)
    for kind in LEDGERS:
        con.execute(ledger_ddl(kind))
        con.execute(current_view_ddl(kind))
    return con
