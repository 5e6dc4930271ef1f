"""The orchestration seam: one plain function per task of the project's DAGs.

The DAG files only wire these functions; ``xinfang run`` reaches them through Airflow, and the
benchmark and tests call them directly (:func:`run_nightly`). What passes between tasks is small
and JSON-serialisable (it travels as XCom); a parsed submission itself waits as a file beside
ingestion's staged rows under ``<archive>/_staging`` (shared by all workers in production), never
in the metadata database. Heavy libraries are imported inside the functions, so the DAG files
that import this module stay cheap to parse.

Warehouse access goes through :mod:`xinfang.warehouse_lock`: exclusive for the writers (promote,
``dbt build``), shared for the readers. Parsing and validation never open the warehouse.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from xinfang.config import Settings
from xinfang.warehouse_lock import warehouse_lock

log = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
#: A unit without an accepted submission for longer than this is late (``XINFANG_LATE_AFTER_DAYS``).
DEFAULT_LATE_AFTER_DAYS = 35

# ---------------------------------------------------------------------------------------------
# Months
# ---------------------------------------------------------------------------------------------


def parse_month(text: str) -> str:
    if not MONTH.match(text):
        raise ValueError(f"not a month YYYY-MM: {text!r}")
    return text


def previous_month(day: date) -> str:
    first = day.replace(day=1)
    return f"{(first - timedelta(days=1)):%Y-%m}"


def reporting_month(month: str | None, logical_date: datetime | None, run_after: datetime) -> str:
    """The month a bulletin run is for: the ``month`` param, else the month before the run's date.

    A cron trigger schedule has no data interval, so the month is derived from the run's logical
    date (a scheduled or backfilled run) or, for a manual run without one, its ``run_after`` --
    on the Asia/Shanghai calendar: the run of 5 January 08:00 is 5 January 00:00 UTC.
    """
    if month:
        return parse_month(month)
    when = logical_date or run_after
    return previous_month(when.astimezone(SHANGHAI).date())


def _month_bounds(month: str) -> tuple[date, date]:
    first = date.fromisoformat(f"{month}-01")
    next_first = (first + timedelta(days=32)).replace(day=1)
    return first, next_first - timedelta(days=1)


# ---------------------------------------------------------------------------------------------
# Nightly: discover -> parse (mapped, parallel) -> promote (serial) -> dbt build -> mart gate
# -> backup
# ---------------------------------------------------------------------------------------------


def _settings(settings: Settings | None) -> Settings:
    return settings or Settings.from_env()


def inbox_is_empty(settings: Settings) -> bool:
    return not settings.inbox.is_dir() or not any(p.is_file() for p in settings.inbox.rglob("*"))


def write_samples(settings: Settings) -> None:
    """The demo prefecture's sample ledgers (and its bad submissions) into the inbox."""
    from xinfang import synth

    synth.generate(settings.inbox, progress=lambda line: print(line, flush=True))


def discover(settings: Settings | None = None) -> list[dict[str, Any]]:
    """New inbox files, in arrival order, as task inputs: one per submission to parse."""
    from xinfang import ingest

    settings = _settings(settings)
    with warehouse_lock(settings.warehouse, exclusive=False):
        candidates = ingest.discover(settings)
    log.info("%d new submissions in %s", len(candidates), settings.inbox)
    return [{"label": f"{c.unit_code}/{c.file_name}", "candidate": c.to_dict()} for c in candidates]


def _spool(settings: Settings, submission_id: str) -> Path:
    """Where a parsed submission waits for promote, beside ingestion's staged rows."""
    from xinfang.ingest.archive import SPOOL_SUFFIX, staging_dir

    folder = staging_dir(settings, submission_id)
    return folder.with_name(f"{folder.name}{SPOOL_SUFFIX}")


def parse(payload: Mapping[str, Any], settings: Settings | None = None) -> dict[str, Any] | None:
    """Read, normalise and check one submission; park the result for promote.

    Never opens the warehouse. A bad file is not an error here: its rejection is data, with
    the clerk's messages, promoted (recorded) like an acceptance, so one county's broken file
    stops nobody else. A file changed since discovery is left for the next run (``None``).
    """
    from xinfang import ingest

    settings = _settings(settings)
    candidate = ingest.Candidate.from_dict(payload["candidate"])
    try:
        parsed = ingest.parse(candidate, settings)
    except ingest.ChangedFileError:
        log.warning("%s changed while being read: left for the next run", payload["label"])
        return None
    parsed.save(_spool(settings, parsed.submission_id))  # whole or not at all, as its rows
    log.info("%s: %s (%d rows)", payload["label"], parsed.outcome, parsed.row_count)
    return {
        "label": payload["label"],
        "submission_id": parsed.submission_id,
        "unit_code": parsed.unit_code,
        "file_name": parsed.file_name,
        "sha256": parsed.sha256,
        "received_at": parsed.received_at.isoformat(),
        "ledger_kind": parsed.ledger_kind,
        "outcome": parsed.outcome,
        "rows": parsed.row_count,
    }


def _arrival(summary: Mapping[str, Any]) -> tuple[datetime, str, str]:
    return (
        datetime.fromisoformat(summary["received_at"]),
        summary["file_name"],
        summary["unit_code"],
    )


def _promote_one(con: Any, settings: Settings, summary: Mapping[str, Any]) -> bool:
    """Promote one parsed submission from its spool file; False when it was already there.

    Only promote removes spool files, under the write lock: a missing one means a run beside
    this one (or an earlier attempt of this task, killed) has promoted the submission already.
    """
    from xinfang import ingest

    spool = _spool(settings, summary["submission_id"])
    if not spool.exists():
        return False
    parsed = ingest.ParsedSubmission.load(spool)
    new = ingest.promote(con, parsed, archive=settings.archive)  # idempotent by (unit, SHA-256)
    spool.unlink()
    return new


def _registered(con: Any, summary: Mapping[str, Any]) -> dict[str, Any]:
    """The submission as the warehouse registered it: its outcome and first error, if any.

    The registry has the last word: promote may judge a submission further (against the unit's
    previous one) than parsing could.
    """
    row = con.execute(
        """
        SELECT s.outcome,
               list(m.message ORDER BY m.seq) FILTER (m.severity = 'error')[:5],
               list(m.message ORDER BY m.seq) FILTER (m.severity = 'warning')[:5]
        FROM raw.submissions AS s
        LEFT JOIN raw.submission_messages AS m ON m.submission_id = s.submission_id
        WHERE s.unit_code = ? AND s.sha256 = ?
        GROUP BY s.outcome
        """,
        [summary["unit_code"], summary["sha256"]],
    ).fetchone()
    if row is None:
        raise FileNotFoundError(f"{summary['label']}: neither registered nor waiting to be")
    outcome, errors, warnings = row
    return {**summary, "outcome": outcome, "errors": errors or [], "warnings": warnings or []}


def promote(
    parsed: Iterable[Mapping[str, Any] | None], settings: Settings | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Record every parsed submission in the warehouse, in arrival order, one transaction each.

    Holds the warehouse's write lock throughout. Idempotent: a submission already registered
    (same unit and SHA-256, e.g. by a run started beside this one, or by an earlier attempt of
    this task that was killed) changes nothing and is reported as ``known``. ``None`` entries (a
    file that changed, or whose parse task failed outright) are skipped: the file stays
    unregistered and the next run tries it again.
    """
    from xinfang.ingest.retention import prune_archive
    from xinfang.warehouse import connect

    settings = _settings(settings)
    outcome: dict[str, list[dict[str, Any]]] = {"accepted": [], "rejected": [], "known": []}
    with warehouse_lock(settings.warehouse, exclusive=True):
        con = connect(settings.warehouse)
        try:
            _discard_promoted(con, settings)
            for summary in sorted((dict(p) for p in parsed if p), key=_arrival):
                new = _promote_one(con, settings, summary)
                registered = _registered(con, summary)
                outcome.setdefault(registered["outcome"] if new else "known", []).append(registered)
            prune_archive(con, settings.archive)  # XINFANG_ARCHIVE_RETENTION_DAYS
            if any(s["ledger_kind"] for k, v in outcome.items() if k != "known" for s in v):
                from xinfang.quality import build_data_docs

                build_data_docs(con, settings.reports / "quality")
        finally:
            con.close()
    log.info(describe_promotion(outcome))
    for line in rejection_lines(outcome):
        log.warning(line)
    return outcome


def _discard_promoted(con: Any, settings: Settings) -> None:
    """Remove what a killed run left staged for submissions it had registered."""
    from xinfang.ingest.archive import discard_staging, staged_ids

    staged = sorted(staged_ids(settings))
    if staged:
        rows = con.execute(
            "SELECT submission_id FROM raw.submissions WHERE list_contains(?, submission_id)",
            [staged],
        ).fetchall()
        discard_staging(settings, [submission_id for (submission_id,) in rows])


def build(settings: Settings | None = None) -> dict[str, Any]:
    """``dbt build`` of the whole project in one in-process dbt run; raises when dbt fails."""
    from xinfang import build as dbt

    settings = _settings(settings)
    with warehouse_lock(settings.warehouse, exclusive=True):
        try:
            result = dbt.build(settings)
        finally:
            _close_dbt_duckdb()
    log.info("dbt build: %s in %.1f s", result["counts"], result["seconds"])
    return result


def _close_dbt_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process after a run.

    Otherwise this process holds the warehouse read-write until it exits: a later task in the
    same process (``dag.test()`` runs them all in one) cannot open it read-only, and no other
    process can open it at all although the lock above is released.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    env = DuckDBConnectionManager._ENV
    if env is not None:
        env.close()
    DuckDBConnectionManager.close_all_connections()


def mart_gate(settings: Settings | None = None) -> dict[str, Any]:
    """The marts' reconciliation after dbt; raises when the marts must not be published."""
    from xinfang.quality import mart_gate as reconcile
    from xinfang.warehouse import connect

    settings = _settings(settings)
    with warehouse_lock(settings.warehouse, exclusive=False):
        con = connect(settings.warehouse, read_only=True)
        try:
            return reconcile(con).to_dict()
        finally:
            con.close()


def backup(settings: Settings | None = None) -> dict[str, Any]:
    """The nightly backup of the warehouse's raw layer, once the marts passed their gate."""
    from xinfang.backup import backup as take_backup

    result = take_backup(_settings(settings))
    log.info(
        "backup %s: %d rows in %.1f s, %s",
        result["date"],
        sum(result["tables"].values()),
        result["seconds"],
        result["path"],
    )
    return result


def run_nightly(settings: Settings | None = None) -> dict[str, Any]:
    """The nightly DAG's work without Airflow, in one process (benchmark, concurrency tests)."""
    settings = _settings(settings)
    parsed = [parse(c, settings) for c in discover(settings)]
    promoted = promote(parsed, settings)
    return {"promote": promoted, "build": build(settings), "gate": mart_gate(settings)}


# ---------------------------------------------------------------------------------------------
# Freshness and completeness
# ---------------------------------------------------------------------------------------------


def _last_accepted(settings: Settings) -> dict[str, dict[str, datetime]]:
    """Each expected county's newest accepted submission time, per ledger kind.

    A county (a unit of the reference) is expected once it has an inbox folder or has ever
    submitted anything; a folder that is no unit's code is ingestion's to reject, not late.
    """
    from xinfang.reference import units
    from xinfang.warehouse import connect

    known = units()
    expected: dict[str, dict[str, datetime]] = {}
    if settings.inbox.is_dir():
        expected |= {d.name: {} for d in settings.inbox.iterdir() if d.name in known}
    if settings.warehouse.exists():
        with warehouse_lock(settings.warehouse, exclusive=False):
            con = connect(settings.warehouse, read_only=True)
            try:
                rows = con.execute(
                    """
                    SELECT unit_code, ledger_kind,
                           max(received_at) FILTER (WHERE outcome = 'accepted')
                    FROM raw.submissions GROUP BY ALL
                    """
                ).fetchall()
            finally:
                con.close()
        for code, kind, last in rows:
            if code in known:
                latest = expected.setdefault(code, {})
                if kind and last is not None:
                    latest[kind] = last
    return dict(sorted(expected.items()))


def _unit_name(code: str) -> str:
    from xinfang.reference import units

    return units()[code].name


def late_after_days() -> int:
    return int(os.environ.get("XINFANG_LATE_AFTER_DAYS", DEFAULT_LATE_AFTER_DAYS))


def freshness(as_of: datetime, settings: Settings | None = None) -> dict[str, Any]:
    """Counties whose newest accepted submission is older than the deadline, or who have none."""
    settings = _settings(settings)
    days = late_after_days()
    cutoff = as_of - timedelta(days=days)
    late = []
    for code, latest in _last_accepted(settings).items():
        last = max(latest.values(), default=None)
        if last is None or last < cutoff:
            late.append(
                {
                    "unit_code": code,
                    "unit_name": _unit_name(code),
                    "last_accepted_at": last.astimezone(SHANGHAI).isoformat() if last else None,
                }
            )
    report = {"as_of": as_of.isoformat(), "late_after_days": days, "late": late}
    for line in freshness_lines(report):
        log.warning(line)
    return report


def completeness(month: str, settings: Settings | None = None) -> dict[str, Any]:
    """The units to issue bulletins for, and the counties whose ledgers do not cover the month.

    A ledger is a running snapshot of the day it was sent: only one received on or after the
    month's last day (Asia/Shanghai) covers the month. The counties lacking one are named here
    and in their bulletins.
    """
    from xinfang.bulletin.sources import reporting_units
    from xinfang.schema import LEDGERS
    from xinfang.warehouse import connect

    settings = _settings(settings)
    _, last_day = _month_bounds(month)
    incomplete = []
    for code, latest in _last_accepted(settings).items():
        lacking = [
            kind
            for kind in LEDGERS
            if kind not in latest or latest[kind].astimezone(SHANGHAI).date() < last_day
        ]
        if lacking:
            incomplete.append(
                {"unit_code": code, "unit_name": _unit_name(code), "ledgers": lacking}
            )
    with warehouse_lock(settings.warehouse, exclusive=False):
        con = connect(settings.warehouse, read_only=True)
        try:
            units = reporting_units(con)
        finally:
            con.close()
    report = {"month": month, "units": units, "incomplete": incomplete}
    for line in completeness_lines(report):
        log.warning(line)
    return report


# ---------------------------------------------------------------------------------------------
# Monthly: month -> completeness -> render (mapped batches, read-only) -> issue index
# ---------------------------------------------------------------------------------------------


def latest_month(settings: Settings | None = None) -> str:
    """The newest month with registered petition items in the warehouse (the demo's default)."""
    from xinfang.warehouse import connect

    settings = _settings(settings)
    with warehouse_lock(settings.warehouse, exclusive=False):
        con = connect(settings.warehouse, read_only=True)
        try:
            (newest,) = con.execute("SELECT max(registered_on) FROM raw.petitions").fetchone()
        finally:
            con.close()
    if newest is None:
        raise LookupError("the warehouse holds no petition items yet")
    return f"{newest:%Y-%m}"


def batches(units: list[str], count: int | None = None) -> list[list[str]]:
    """Split units into at most ``count`` batches (``XINFANG_RENDER_BATCHES``, default: cores).

    Each batch is one mapped task; the batches render in parallel on the workers, each in one
    warm process (WeasyPrint and matplotlib cost seconds to import, so a process renders many).
    """
    count = count or int(os.environ.get("XINFANG_RENDER_BATCHES", os.cpu_count() or 1))
    count = max(1, min(count, len(units)))
    return [units[i::count] for i in range(count) if units[i::count]]


def render(month: str, units: list[str], settings: Settings | None = None) -> list[str]:
    """Render and issue the bulletins of ``units`` for ``month`` from the read-only warehouse.

    Each bulletin is issued under ``reports/<month>/`` and recorded in ``reports/index.json``;
    a re-issue whose content changed keeps the earlier one as a revision.
    """
    from xinfang import bulletin

    settings = _settings(settings)
    with warehouse_lock(settings.warehouse, exclusive=False):
        paths = bulletin.render_units(month, units, settings)
    return [str(p) for p in paths]


def record_issue(
    month: str, rendered: Iterable[Iterable[str]], settings: Settings | None = None
) -> dict[str, Any]:
    """Check that every bulletin rendered is in the issue index, with its file's SHA-256."""
    from xinfang import bulletin

    settings = _settings(settings)
    paths = [Path(p) for batch in rendered for p in batch]
    summary = bulletin.record_issue(month, paths, settings)
    log.info("%s: %d bulletins issued, recorded in %s", month, len(paths), summary["index"])
    return summary


# ---------------------------------------------------------------------------------------------
# Report lines, for the task logs and the terminal
# ---------------------------------------------------------------------------------------------


def describe_promotion(outcome: Mapping[str, list[Any]]) -> str:
    counts = [f"{len(outcome['accepted'])} submissions accepted"]
    counts += [f"{len(v)} {k}" for k, v in outcome.items() if k not in ("accepted", "known")]
    return f"{', '.join(counts)}, {len(outcome['known'])} already loaded"


def rejection_lines(outcome: Mapping[str, list[Mapping[str, Any]]]) -> list[str]:
    """One line per submission not accepted: what became of it, its label, and why (its first
    error; a held one's first warning)."""
    from xinfang.quality.rules import OUTCOME_ZH

    return [
        f"{OUTCOME_ZH.get(kind, kind)} {s['label']}：{next(iter(s['errors'] or s['warnings']), '')}"
        for kind, submissions in outcome.items()
        if kind not in ("accepted", "known")
        for s in submissions
    ]


def freshness_lines(report: Mapping[str, Any]) -> list[str]:
    days = report["late_after_days"]
    return [
        f"逾期未报送 {u['unit_code']} {u['unit_name']}：超过 {days} 天无通过的报送"
        f"（最近一次：{u['last_accepted_at'] or '从未'}）"
        for u in report["late"]
    ]


def completeness_lines(report: Mapping[str, Any]) -> list[str]:
    from xinfang.schema import LEDGERS

    return [
        f"{report['month']} 报送不全 {u['unit_code']} {u['unit_name']}：缺少覆盖全月（月末当日或"
        f"之后报送并通过）的{'、'.join(LEDGERS[k].title for k in u['ledgers'])}"
        for u in report["incomplete"]
    ]
