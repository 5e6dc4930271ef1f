"""Bulletin contexts from the warehouse: figures files (``xinfang.figures``) and the raw registry.

A county's bulletin uses its figures file, its previous 11 months, and the submissions behind
it; a prefecture's (or province's) also its members' figures files for the ranking table. One
call fetches every unit at once: the figures API costs three queries whatever the count.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import duckdb

from xinfang import reference
from xinfang.bulletin.context import SHANGHAI, BulletinContext, Figures, SubmissionUsed, shift

LEDGERS = ("petitions", "risks", "backlog")


def default_issue_date() -> date:
    """Today in Asia/Shanghai, or the day of ``SOURCE_DATE_EPOCH`` for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.astimezone(SHANGHAI).date()


def members(code: str) -> list[str]:
    """A prefecture's counties, a province's prefectures; nothing for a county."""
    units = reference.units().values()
    if code in reference.units():
        return []
    counties = [u.code for u in units if u.prefecture_code == code]
    if counties:
        return counties
    return sorted({u.prefecture_code for u in units if u.province_code == code})


def reporting_units(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every county that has submitted, then the prefectures they belong to."""
    rows = con.execute("SELECT DISTINCT unit_code FROM raw.submissions ORDER BY 1").fetchall()
    known = reference.units()
    counties = [code for (code,) in rows if code in known]
    prefectures = sorted({known[c].prefecture_code for c in counties})
    return counties + prefectures


def has_data(figures: Figures, window: str = "month") -> bool:
    """Accepted petition data covers the window (``coverage``, when the figures file has it)."""
    coverage = figures.get("coverage", {}).get(window, {}).get("petitions")
    return True if coverage is None else bool(coverage["has_data"])


def _in_force(figures: Figures) -> list[tuple[str, dict[str, Any]]]:
    """(unit code, submission entry) of every submission the figures rest on."""
    out = []
    for ledger in LEDGERS:
        entry = figures["submissions"].get(ledger) or {}
        if "units" in entry:
            out += [(code, e) for code, e in entry["units"].items()]
        elif entry.get("submission_id"):
            out.append((figures["unit"]["code"], entry))
    return out


def quality(
    con: duckdb.DuckDBPyConnection, figures: Figures, month_end: date
) -> tuple[SubmissionUsed, ...]:
    """The submissions in force, and the rejected ones received from the month's first instant
    until before the next month's, or until the latest submission in force if that is later (the
    month-end snapshot arrives in the night after the month)."""
    in_force = _in_force(figures)
    ids = [e["submission_id"] for _, e in in_force]
    unit = figures["unit"]["code"]
    codes = sorted({code for code, _ in in_force} | {unit} | set(members(unit)))
    first = datetime.combine(month_end.replace(day=1), time(), SHANGHAI)
    following = datetime.combine(month_end + timedelta(days=1), time(), SHANGHAI)
    newest = max(
        [datetime.fromisoformat(e["received_at"]) for _, e in in_force if e.get("received_at")],
        default=first,
    )
    rows = con.execute(
        f"""
        SELECT s.submission_id, s.unit_code, s.ledger_kind, s.file_name, s.received_at,
               s.outcome,
               list(m.message ORDER BY m.seq) FILTER (
                   WHERE m.message IS NOT NULL
                     AND (m.severity = 'warning' OR s.outcome <> 'accepted'))
        FROM raw.submissions AS s
        LEFT JOIN raw.submission_messages AS m USING (submission_id)
        WHERE s.submission_id IN ({", ".join("?" * len(ids)) or "NULL"})
           OR (s.outcome <> 'accepted' AND s.unit_code IN ({", ".join("?" * len(codes))})
               AND s.received_at >= ? AND (s.received_at < ? OR s.received_at <= ?))
        GROUP BY ALL
        ORDER BY s.unit_code, s.received_at, s.file_name
        """,
        [*ids, *codes, first, following, newest],
    ).fetchall()
    names = reference.units()
    roll_up = figures["unit"]["level"] != "county"
    return tuple(
        SubmissionUsed(
            ledger=kind or "unknown",
            file_name=name,
            received_at=received.astimezone(SHANGHAI),
            age_days=max(0, (month_end - received.astimezone(SHANGHAI).date()).days),
            outcome=outcome,
            warnings=tuple(messages or ()),
            unit=names[code].name if roll_up and code in names else "",
        )
        for _, code, kind, name, received, outcome, messages in rows
    )


def build_contexts(
    con: duckdb.DuckDBPyConnection,
    month: str,
    codes: Sequence[str],
    documents: dict[tuple[str, str], Figures],
    issue_date: date,
) -> list[BulletinContext]:
    contexts = []
    for code in codes:
        figures = documents[(code, month)]
        trend = {
            shift(month, -k): documents[(code, shift(month, -k))]["windows"]["month"]
            for k in range(11, 0, -1)
            if has_data(documents[(code, shift(month, -k))])
        }
        ctx = BulletinContext(
            figures=figures,
            bureau=f"{figures['unit']['name']}信访局",
            issue_date=issue_date,
            trend=trend,
            counties=tuple(documents[(m, month)] for m in members(code)),
            has_data=has_data(figures),
            is_sample=any(e.get("is_sample") for _, e in _in_force(figures)),
        )
        contexts.append(replace(ctx, quality=quality(con, figures, ctx.month_end)))
    return contexts


def contexts_for(
    con: duckdb.DuckDBPyConnection, month: str, codes: Sequence[str], issue_date: date
) -> list[BulletinContext]:
    """The contexts of the bulletins of ``codes`` (counties, prefectures or provinces)."""
    from xinfang.figures import figures_for_many

    member_codes = [m for code in codes for m in members(code)]
    documents = figures_for_many(con, [*codes, *member_codes], [month])
    documents.update(figures_for_many(con, codes, [shift(month, -k) for k in range(1, 12)]))
    return build_contexts(con, month, codes, documents, issue_date)


def load_contexts(
    con: duckdb.DuckDBPyConnection,
    month: str,
    unit: str | None = None,
    *,
    issue_date: date | None = None,
) -> list[BulletinContext]:
    """The contexts of one unit's bulletin, or of every reporting unit's (``unit`` None)."""
    codes = [unit] if unit else reporting_units(con)
    return contexts_for(con, month, codes, issue_date or default_issue_date())
