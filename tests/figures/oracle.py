"""Every bulletin figure computed in pandas/numpy from the generator's truth tables.

Independent of the dbt project: it starts from the manifest (which files were good and when
they arrived) and the truth tables (the values ingestion must load), takes the latest version
of every row the way ledgers.md says, and computes each id of indicators.md with its own masks.
Dates are numpy day numbers; a missing date is ``NEVER`` (after every window's end).
"""

from __future__ import annotations

import json
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from xinfang.reference import sensitive_periods
from xinfang.schema import CATEGORIES

NEVER = 10**7  # day number of a missing date: after every window
CHANNELS = ("来信", "走访", "网上信访", "电话")
LEVELS = ("国家", "省", "市", "县")
RECEPTIONS = ("市级", "县级", "乡科级")
SOURCES = ("中央巡视", "省委巡视", "国家信访局", "省信访局", "市信访局")
FINDINGS = ("属实", "部分属实", "不属实")
MEASURES = ("刑事强制措施", "行政拘留", "警告", "罚款", "批评教育")
WINDOWS = ("month", "ytd", "prev_month", "month_ly", "ytd_ly")
SHANGHAI = ZoneInfo("Asia/Shanghai")

Figures = dict[str, Any]  # id -> int | Decimal | bool | (num, den)


def day(value: Any) -> int:
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return NEVER
    return int(np.datetime64(value, "D").astype(np.int64))


def days(series: pd.Series) -> np.ndarray:
    return np.array([day(v) for v in series], dtype=np.int64)


def text(series: pd.Series) -> np.ndarray:
    return np.array([None if pd.isna(v) else v for v in series], dtype=object)


def flag(series: pd.Series) -> np.ndarray:
    return np.array([bool(v) if v is not None and not pd.isna(v) else False for v in series])


def add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(first: date) -> date:
    return date.fromordinal(add_months(first, 1).toordinal() - 1)


def years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def half_up(num: Decimal | int, den: Decimal | int) -> Decimal | None:
    if den == 0:
        return None
    return (Decimal(100) * Decimal(num) / Decimal(den)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def window_bounds(month: date) -> dict[str, tuple[date, date]]:
    def ytd(m: date) -> tuple[date, date]:
        return date(m.year, 1, 1), month_end(m)

    def one(m: date) -> tuple[date, date]:
        return m, month_end(m)

    return {
        "month": one(month),
        "ytd": ytd(month),
        "prev_month": one(add_months(month, -1)),
        "month_ly": one(add_months(month, -12)),
        "ytd_ly": ytd(add_months(month, -12)),
    }


@dataclass
class Ledgers:
    """The current rows of one county, as numpy columns."""

    items: dict[str, np.ndarray]
    risks: dict[str, np.ndarray]
    cases: dict[str, np.ndarray]


def current_rows(manifest_dir: Path, kind: str, key: str, files: pd.DataFrame) -> pd.DataFrame:
    """Latest version of each (unit, key) by arrival, then file name; older keys kept."""
    truth = pd.read_parquet(manifest_dir / f"truth_{kind}.parquet")
    truth = truth.merge(files[["file", "mtime", "file_name"]], on="file")
    truth = truth.sort_values(["mtime", "file_name"], kind="stable")
    return truth.drop_duplicates(["unit_code", key], keep="last")


def person(id_number: Any, valid: Any) -> str | None:
    if valid is not True or id_number is None or pd.isna(id_number):
        return None
    return "".join(unicodedata.normalize("NFKC", id_number).split()).upper()


def sensitive_days(registered: np.ndarray) -> np.ndarray:
    inside = np.zeros(len(registered), dtype=bool)
    for period in sensitive_periods():
        inside |= (registered >= day(period.starts_on)) & (registered <= day(period.ends_on))
    return inside


def next_same_issue(df: pd.DataFrame, persons: np.ndarray) -> np.ndarray:
    """First registration of the same person and class after each item's conclusion."""
    out = np.full(len(df), NEVER, dtype=np.int64)
    reg, concluded, cls = days(df.registered_on), days(df.concluded_on), text(df.category_l1)
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (p, c) in enumerate(zip(persons, cls, strict=True)):
        if p is not None and c is not None:
            groups[(p, c)].append(i)
    for members in groups.values():
        registered = np.sort(reg[members])
        for i in members:
            at = np.searchsorted(registered, concluded[i], side="right")
            if concluded[i] != NEVER and at < len(registered):
                out[i] = registered[at]
    return out


def petition_columns(df: pd.DataFrame) -> dict[str, np.ndarray]:
    persons = np.array(
        [person(i, v) for i, v in zip(df.id_number, df.id_valid, strict=True)], dtype=object
    )
    registered = days(df.registered_on)
    return {
        "reg": registered,
        "channel": text(df.channel),
        "level": text(df.level),
        "persons": df.persons.to_numpy(dtype=np.int64),
        "person": persons,
        "cls": text(df.category_l1),
        "purpose": text(df.purpose),
        "first": flag(df.is_first),
        "assigned": text(df.assigned_by),
        "reception": text(df.leader_reception),
        "acceptance": text(df.acceptance),
        "accepted": days(df.accepted_on),
        "extended": flag(df.extended),
        "concluded": days(df.concluded_on),
        "resolved": flag(df.resolved),
        "mediation": flag(df.mediation_agreement),
        "finding": text(df.finding),
        "satisfaction": text(df.satisfaction),
        "enforcement": text(df.enforcement),
        "sensitive": sensitive_days(registered),
        "next_same": next_same_issue(df, persons),
    }


def petition_figures(a: dict[str, np.ndarray], start: int, end: int) -> Figures:
    registered = (a["reg"] >= start) & (a["reg"] <= end)
    concluded = (a["concluded"] >= start) & (a["concluded"] <= end)
    visit = registered & (a["channel"] == "走访")
    f: Figures = {"items_total": int(registered.sum())}
    for channel in CHANNELS:
        f[f"items.{channel}"] = int((registered & (a["channel"] == channel)).sum())

    def batches_and_persons(name: str, mask: np.ndarray) -> None:
        f[f"{name}.batches"] = int(mask.sum())
        f[f"{name}.persons"] = int(a["persons"][mask].sum())

    batches_and_persons("visits", visit)
    for level in LEVELS:
        batches_and_persons(f"visits.{level}", visit & (a["level"] == level))
    batches_and_persons("visits.individual", visit & (a["persons"] < 5))
    batches_and_persons("visits.collective", visit & (a["persons"] >= 5))
    batches_and_persons("leader_receptions", visit & (a["reception"] != None))  # noqa: E711
    for level in RECEPTIONS:
        f[f"leader_receptions.{level}.batches"] = int((visit & (a["reception"] == level)).sum())
    v = [f[f"visits.{level}.batches"] for level in ("县", "市", "省", "国家")]
    f["pyramid_ok"] = v[0] >= v[1] >= v[2] >= v[3]
    total = f["items_total"]
    f["grassroots_absorption_rate"] = (int((registered & (a["level"] == "县")).sum()), total)
    f["online_share"] = (f["items.网上信访"], total)
    f["repeat_items"] = int((registered & ~a["first"]).sum())
    f["repeat_rate"] = (f["repeat_items"], total)

    decided = a["accepted"] <= end
    overdue = ~decided & (end > a["reg"] + 15)
    on_time = decided & (a["accepted"] <= a["reg"] + 15)
    f["timely_acceptance_rate"] = (
        int((registered & on_time).sum()),
        int((registered & (decided | overdue)).sum()),
    )
    f["should_accept_not_accepted"] = int((registered & overdue).sum())
    accepted = registered & (a["acceptance"] == "受理")
    limit = np.where(a["accepted"] == NEVER, NEVER, a["accepted"] + 60 + 30 * a["extended"])
    done = a["concluded"] <= end
    late = ~done & (end > limit)
    f["on_time_conclusion_rate"] = (
        int((accepted & done & (a["concluded"] <= limit)).sum()),
        int((accepted & (done | late)).sum()),
    )
    f["should_handle_not_handled"] = int((accepted & late).sum())

    evaluated = concluded & np.isin(a["satisfaction"], ["满意", "基本满意", "不满意"])
    f["participation_rate"] = (int(evaluated.sum()), int(concluded.sum()))
    satisfied = concluded & np.isin(a["satisfaction"], ["满意", "基本满意"])
    f["satisfaction_rate"] = (int(satisfied.sum()), int(evaluated.sum()))
    first = concluded & a["first"]
    f["first_resolution_rate"] = (int((first & a["resolved"]).sum()), int(first.sum()))
    unlinked = (a["person"] == None) | (a["next_same"] > end)  # noqa: E711
    f["one_time_resolution_rate"] = (
        int((first & a["resolved"] & unlinked).sum()),
        f["first_resolution_rate"][1],
    )
    mediable = concluded & (np.isin(a["purpose"], ["求决", "申诉"]) | (a["purpose"] == None))  # noqa: E711
    f["mediation_agreement_rate"] = (int((mediable & a["mediation"]).sum()), int(mediable.sum()))
    for source in SOURCES:
        f[f"assigned.{source}"] = int((registered & (a["assigned"] == source)).sum())
    assigned = registered & (a["assigned"] != None)  # noqa: E711
    f["assigned_completion_rate"] = (int((assigned & done).sum()), int(assigned.sum()))
    for finding in FINDINGS:
        f[f"findings.{finding}"] = int((assigned & (a["finding"] == finding)).sum())
    for category in CATEGORIES:
        f[f"categories.{category}"] = int((registered & (a["cls"] == category)).sum())
    for measure in MEASURES:
        f[f"enforcement.{measure}"] = int((registered & (a["enforcement"] == measure)).sum())
    upward = visit & np.isin(a["level"], ["省", "国家"]) & a["sensitive"]
    f["sensitive_upward_visits"] = int(upward.sum())
    return f


def risk_columns(df: pd.DataFrame) -> dict[str, np.ndarray]:
    return {
        "found": days(df.found_on),
        "level": text(df.risk_level),
        "key_subject": text(df.key_subject),
        "escalation": text(df.escalation_risk),
        "due": days(df.due_on),
        "resolved_on": np.where(text(df.status) == "已化解", days(df.resolved_on), NEVER),
    }


def risk_figures(r: dict[str, np.ndarray], start: int, end: int) -> Figures:
    found = (r["found"] >= start) & (r["found"] <= end)
    resolved_by_end = r["resolved_on"] <= end
    open_ = (r["found"] <= end) & ~resolved_by_end
    f: Figures = {
        "risks_found": int(found.sum()),
        "risks_resolved": int((found & resolved_by_end).sum()),
        "risks_open": int(open_.sum()),
        "risks_open_overdue": int((open_ & (r["due"] < end)).sum()),
    }
    f["risk_resolution_rate"] = (f["risks_resolved"], f["risks_found"])
    for level in ("高", "中", "低"):
        f[f"risks_open.{level}"] = int((open_ & (r["level"] == level)).sum())
    for subject in ("重点人员", "重点群体"):
        f[f"key_subjects.{subject}"] = int((open_ & (r["key_subject"] == subject)).sum())
    for escalation in ("进京", "赴省"):
        f[f"escalation_open.{escalation}"] = int((open_ & (r["escalation"] == escalation)).sum())
    return f


def case_columns(df: pd.DataFrame) -> dict[str, np.ndarray]:
    status = text(df.status)
    return {
        "first": days(df.first_petitioned_on),
        "listed": days(df.listed_on),
        "leader": text(df.leader_level),
        "due": days(df.due_on),
        "status": status,
        "closed": np.where(np.isin(status, ["已化解", "已终结"]), days(df.resolved_on), NEVER),
        "relief": np.array([Decimal(0) if pd.isna(v) else v for v in df.relief_fund], object),
        "charity": np.array([Decimal(0) if pd.isna(v) else v for v in df.charity_fund], object),
    }


def case_figures(c: dict[str, np.ndarray], start: int, end: int, end_date: date) -> Figures:
    listed = (c["listed"] <= end) & ~(c["closed"] < start)
    closed_in = (c["closed"] >= start) & (c["closed"] <= end)
    resolved = listed & closed_in & (c["status"] == "已化解")
    f: Figures = {
        "backlog_listed": int(listed.sum()),
        "backlog_resolved": int(resolved.sum()),
        "backlog_terminated": int((listed & closed_in & (c["status"] == "已终结")).sum()),
        "backlog_open_overdue": int((listed & (c["closed"] > end) & (c["due"] < end)).sum()),
    }
    f["backlog_resolution_rate"] = (f["backlog_resolved"], f["backlog_listed"])
    for level in ("省级", "市级", "县级"):
        of_level = c["leader"] == level
        f[f"backlog_by_leader.{level}.listed"] = int((listed & of_level).sum())
        f[f"backlog_by_leader.{level}.resolved"] = int((resolved & of_level).sum())
    for years in (10, 15):
        aged = c["first"] <= day(years_before(end_date, years))
        f[f"backlog_aged.{years}y.listed"] = int((listed & aged).sum())
        f[f"backlog_aged.{years}y.resolved"] = int((resolved & aged).sum())
    f["relief.fund"] = sum(c["relief"][resolved], Decimal(0))
    f["relief.charity"] = sum(c["charity"][resolved], Decimal(0))
    f["relief.cases"] = int((resolved & ((c["relief"] > 0) | (c["charity"] > 0))).sum())
    return f


@dataclass(frozen=True)
class Expected:
    """What the figures mart must hold: per (unit, month, window) its figures and coverage."""

    figures: dict[tuple[str, date, str], Figures]
    coverage: dict[tuple[str, date, str], dict[str, int]]  # ledger -> counties covered
    units: dict[str, str]  # unit code -> level
    months: list[date]


def load_files(manifest_dir: Path) -> pd.DataFrame:
    manifest = json.loads((manifest_dir / "manifest.json").read_text("utf-8"))
    files = pd.DataFrame(manifest["files"])
    files = files[files.expected == "accepted"].copy()
    files["file"] = files.path
    files["file_name"] = files.path.str.split("/").str[-1]
    files["mtime"] = files.mtime.map(datetime.fromisoformat)
    return files


def expected_figures(manifest_dir: Path) -> Expected:
    files = load_files(manifest_dir)
    items = current_rows(manifest_dir, "petitions", "item_id", files)
    risks = current_rows(manifest_dir, "risks", "risk_id", files)
    cases = current_rows(manifest_dir, "backlog", "case_id", files)
    received = {
        (unit, ledger): max(m.astimezone(SHANGHAI).date() for m in group.mtime)
        for (unit, ledger), group in files.groupby(["unit_code", "ledger"])
    }
    counties = sorted(files.unit_code.unique())
    ledgers = {
        unit: Ledgers(
            petition_columns(items[items.unit_code == unit].reset_index(drop=True)),
            risk_columns(risks[risks.unit_code == unit]),
            case_columns(cases[cases.unit_code == unit]),
        )
        for unit in counties
    }
    first = min(items.registered_on.min(), risks.found_on.min())
    last = max(received.values())
    months = [add_months(date(first.year, first.month, 1), i) for i in range(400)]
    months = [m for m in months if m <= date(last.year, last.month, 1)]

    from xinfang.reference import units as reference_units

    ref = reference_units()
    parents = {u: (ref[u].prefecture_code, ref[u].province_code) for u in counties}
    levels = {u: "county" for u in counties}
    levels |= {p: "prefecture" for p, _ in parents.values()}
    levels |= {q: "province" for _, q in parents.values()}

    figures: dict[tuple[str, date, str], Figures] = {}
    coverage: dict[tuple[str, date, str], dict[str, int]] = {}
    for month in months:
        for window, (start_date, end_date) in window_bounds(month).items():
            start, end = day(start_date), day(end_date)
            for unit in counties:
                data = ledgers[unit]
                f = petition_figures(data.items, start, end)
                f |= risk_figures(data.risks, start, end)
                f |= case_figures(data.cases, start, end, end_date)
                figures[(unit, month, window)] = f
                coverage[(unit, month, window)] = {
                    ledger: int(received.get((unit, ledger), date.min) > start_date)
                    for ledger in ("petitions", "risks", "backlog")
                }
            for parent in {p for pair in parents.values() for p in pair}:
                members = [u for u in counties if parent in parents[u]]
                figures[(parent, month, window)] = roll_up(
                    [figures[(u, month, window)] for u in members]
                )
                coverage[(parent, month, window)] = {
                    ledger: sum(coverage[(u, month, window)][ledger] for u in members)
                    for ledger in ("petitions", "risks", "backlog")
                }
    return Expected(figures, coverage, levels, months)


def roll_up(parts: list[Figures]) -> Figures:
    out: Figures = {}
    for key, value in parts[0].items():
        if isinstance(value, tuple):
            out[key] = (sum(p[key][0] for p in parts), sum(p[key][1] for p in parts))
        elif not isinstance(value, bool):
            out[key] = sum((p[key] for p in parts), type(value)(0))
    v = [out[f"visits.{level}.batches"] for level in ("县", "市", "省", "国家")]
    out["pyramid_ok"] = v[0] >= v[1] >= v[2] >= v[3]
    return out
