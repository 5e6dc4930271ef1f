"""Build figures files from the figures mart (read-only).

A figures file is the JSON of indicators.md "The figures file"::

    {"unit": {"code", "name", "level"}, "period": "YYYY-MM",
     "submissions": {"petitions": {"accepted_at", "sha256", ...}, "risks": {}, "backlog": {}},
     "windows": {window: {id: int | money | bool | {"num", "den", "pct"}}},
     "changes": {"ytd_yoy_pct" | "month_yoy_pct" | "month_mom_pct": {id: pct | None}},
     "coverage": {window: {ledger: {"has_data", "units_reporting", "units_total"}}}}

Counts are ints, money is 元 rounded to fen (a float with at most two decimals), ``pyramid_ok``
is a bool, ``pct`` a float with at most two decimals or ``None`` when ``den`` is 0. Every id of
the catalogue (marts.dim_indicator) is in every window. ``coverage`` (an addition to the spec)
says whether accepted data covers each window per ledger: a window without it holds zeros that
were not measured, and the bulletin must say "no data" instead. A unit/month the mart has no row
for (before the first month with data, a county that never submitted) gets the same shape with
zeros and ``has_data`` false everywhere. For a county, each ``submissions`` entry is the accepted
submission in force (``{}`` when none); for a prefecture or province, ``accepted_at`` is the
oldest of its counties' (the data is as old as its stalest county), ``sha256`` is null and
``units`` lists every county's.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

SHANGHAI = ZoneInfo("Asia/Shanghai")
WINDOWS = ("month", "ytd", "prev_month", "month_ly", "ytd_ly")
CHANGES = ("ytd_yoy_pct", "month_yoy_pct", "month_mom_pct")
LEDGERS = ("petitions", "risks", "backlog")

Month = str | date
Document = dict[str, Any]


@dataclass(frozen=True)
class _Indicator:
    id: str
    ledger: str
    value_type: str  # count | money | rate | bool
    has_changes: bool


@dataclass(frozen=True)
class _Unit:
    code: str
    name: str
    level: str
    county_count: int


def month_key(month: Month) -> str:
    """``YYYY-MM`` of a ``date`` or a ``YYYY-MM`` string (validated)."""
    if isinstance(month, date):
        return f"{month.year:04d}-{month.month:02d}"
    return month_key(date.fromisoformat(f"{month}-01"))


def figures_for(con: duckdb.DuckDBPyConnection, unit_code: str, month: Month) -> Document:
    """The figures file of one unit (county, prefecture or province) for one month."""
    return figures_for_many(con, [unit_code], [month])[(unit_code, month_key(month))]


def figures_for_many(
    con: duckdb.DuckDBPyConnection, unit_codes: Iterable[str], months: Iterable[Month]
) -> dict[tuple[str, str], Document]:
    """The figures files of every unit for every month, keyed by (unit_code, ``YYYY-MM``).

    Five queries whatever the number of units and months: a prefecture's trend (12 months) or
    its counties' ranking (all counties, one month) costs about as much as one file.
    """
    codes = list(dict.fromkeys(unit_codes))
    periods = sorted({month_key(m) for m in months})
    units = _units(con, codes)
    catalogue = _catalogue(con)
    figures, changes = _mart_rows(con, codes, periods)
    submissions = _submissions(con, units.values())
    documents: dict[tuple[str, str], Document] = {}
    for code in codes:
        unit = units[code]
        for period in periods:
            rows = figures.get((code, period), {})
            documents[(code, period)] = {
                "unit": {"code": code, "name": unit.name, "level": unit.level},
                "period": period,
                "submissions": submissions[code],
                "windows": {w: _window(catalogue, rows.get(w, ())) for w in WINDOWS},
                "changes": {
                    change: {
                        i.id: changes.get((code, period, change, i.id))
                        for i in catalogue
                        if i.has_changes
                    }
                    for change in CHANGES
                },
                "coverage": {w: _coverage(rows.get(w, ()), unit) for w in WINDOWS},
            }
    return documents


def to_json(document: Document) -> str:
    """The figures file's text: UTF-8 JSON, Chinese kept readable."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _in(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values)) or "NULL"


def _units(con: duckdb.DuckDBPyConnection, codes: Sequence[str]) -> dict[str, _Unit]:
    rows = con.execute(
        "SELECT unit_code, unit_name, unit_level, county_count FROM marts.dim_unit"
        f" WHERE unit_code IN ({_in(codes)})",
        list(codes),
    ).fetchall()
    units = {r[0]: _Unit(*r) for r in rows}
    unknown = [c for c in codes if c not in units]
    if unknown:
        raise KeyError(f"unknown unit code(s): {', '.join(unknown)}")
    return units


def _catalogue(con: duckdb.DuckDBPyConnection) -> list[_Indicator]:
    rows = con.execute(
        "SELECT indicator_id, ledger, value_type, has_changes FROM marts.dim_indicator"
        " ORDER BY sort_order"
    ).fetchall()
    return [_Indicator(*r) for r in rows]


def _mart_rows(
    con: duckdb.DuckDBPyConnection, codes: Sequence[str], periods: Sequence[str]
) -> tuple[dict[tuple[str, str], dict[str, list[tuple]]], dict[tuple[str, str, str, str], Any]]:
    months = [date.fromisoformat(f"{p}-01") for p in periods]
    where = f"unit_code IN ({_in(codes)}) AND report_month IN ({_in(months)})"
    figures: dict[tuple[str, str], dict[str, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for code, month, window, *rest in con.execute(
        "SELECT unit_code, report_month, window_name, indicator_id, value, num, den, pct,"
        " ledger, has_data, units_reporting, units_total"
        f" FROM marts.fct_bulletin_figures WHERE {where}",
        [*codes, *months],
    ).fetchall():
        figures[(code, month_key(month))][window].append(tuple(rest))
    changes = {
        (code, month_key(month), change, indicator): _float(pct)
        for code, month, change, indicator, pct in con.execute(
            "SELECT unit_code, report_month, change_id, indicator_id, pct"
            f" FROM marts.fct_bulletin_changes WHERE {where}",
            [*codes, *months],
        ).fetchall()
    }
    return figures, changes


def _window(catalogue: Sequence[_Indicator], rows: Sequence[tuple]) -> dict[str, Any]:
    """One window of one unit and month from its mart rows (maybe none), in catalogue order."""
    found = {r[0]: r for r in rows}
    return {i.id: _value(i, found.get(i.id)) for i in catalogue}


def _value(indicator: _Indicator, row: tuple | None) -> Any:
    """One figure as the file carries it; zero (or den 0) without a mart row."""
    _, value, num, den, pct, *_ = row or (None, Decimal(0), 0, 0, None)
    match indicator.value_type:
        case "rate":
            return {"num": int(num), "den": int(den), "pct": _float(pct)}
        case "money":
            return float(value)
        case "bool":
            return bool(value) if row else True  # no visits at all: the pyramid holds
        case _:
            return int(value)


def _coverage(rows: Sequence[tuple], unit: _Unit) -> dict[str, dict[str, Any]]:
    """Per ledger: whether accepted data covers the window, and from how many counties."""
    coverage = {
        ledger: {"has_data": False, "units_reporting": 0, "units_total": unit.county_count}
        for ledger in LEDGERS
    }
    for *_, ledger, has_data, reporting, total in rows:
        coverage[ledger] = dict(has_data=has_data, units_reporting=reporting, units_total=total)
    return coverage


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _submissions(
    con: duckdb.DuckDBPyConnection, units: Iterable[_Unit]
) -> dict[str, dict[str, Any]]:
    """``submissions`` of each unit: its own (county) or its counties' (roll-up)."""
    units = list(units)
    codes = [u.code for u in units]
    rows = con.execute(
        "SELECT s.unit_code, d.prefecture_code, d.province_code, s.ledger_kind, s.submission_id,"
        " s.file_name, s.sha256, s.received_at, s.accepted_at, s.is_sample"
        " FROM marts.fct_unit_reporting_status AS s"
        " JOIN marts.dim_unit AS d ON s.unit_code = d.unit_code"
        f" WHERE s.submission_id IS NOT NULL AND (s.unit_code IN ({_in(codes)})"
        f" OR d.prefecture_code IN ({_in(codes)}) OR d.province_code IN ({_in(codes)}))"
        " ORDER BY s.unit_code",
        codes * 3,
    ).fetchall()
    by_unit: dict[str, dict[str, dict[str, dict[str, Any]]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for county, prefecture, province, kind, sub_id, name, sha, received, accepted, sample in rows:
        entry = {
            "accepted_at": _iso(accepted),
            "sha256": sha,
            "submission_id": sub_id,
            "file_name": name,
            "received_at": _iso(received),
            "is_sample": sample,
        }
        for code in (county, prefecture, province):
            by_unit[code][kind][county] = entry
    out: dict[str, dict[str, Any]] = {}
    for unit in units:
        per_kind = by_unit.get(unit.code, {})
        if unit.level == "county":
            out[unit.code] = {k: per_kind.get(k, {}).get(unit.code, {}) for k in LEDGERS}
        else:
            out[unit.code] = {k: _rollup_submissions(per_kind.get(k, {})) for k in LEDGERS}
    return out


def _rollup_submissions(entries: dict[str, dict[str, Any]]) -> dict[str, Any]:
    if not entries:
        return {}
    return {
        "accepted_at": min(e["accepted_at"] for e in entries.values()),
        "sha256": None,
        "units": entries,
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(SHANGHAI).isoformat()
