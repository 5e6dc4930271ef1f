"""Realistic figures files built straight from indicators.md, for bulletin tests and benchmarks.

Every id of indicators.md is in every window, and the figures hang together the way the
definitions require: channels add up to the total, levels and visit sizes add up to the visits,
numerators never exceed denominators, stocks (open risks, …) agree between windows that end on
the same day, a prefecture is the sum of its counties with rates recomputed, and ``changes`` and
every ``pct`` use ``round_half_up(…, 2)``. Written independently of the renderer.
"""

from __future__ import annotations

import copy
import random
import zlib
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

from xinfang import reference
from xinfang.bulletin.context import BulletinContext, SubmissionUsed
from xinfang.schema import CATEGORIES

CHANNELS = ("来信", "走访", "网上信访", "电话")
LEVELS = ("国家", "省", "市", "县")
LEADERS = ("市级", "县级", "乡科级")
ASSIGNERS = ("中央巡视", "省委巡视", "国家信访局", "省信访局", "市信访局")
FINDINGS = ("属实", "部分属实", "不属实")
ENFORCEMENT = ("刑事强制措施", "行政拘留", "警告", "罚款", "批评教育")
RISK_LEVELS = ("高", "中", "低")
BACKLOG_LEADERS = ("省级", "市级", "县级")
MONEY = ("relief.fund", "relief.charity")
FLAGS = ("pyramid_ok",)
# Figures that describe the state at the window's end: equal for windows with the same end.
STOCKS = (
    "risks_open",
    *(f"risks_open.{lv}" for lv in RISK_LEVELS),
    "risks_open_overdue",
    "key_subjects.重点人员",
    "key_subjects.重点群体",
    "escalation_open.进京",
    "escalation_open.赴省",
)
CATEGORY_WEIGHTS = (14, 9, 16, 12, 6, 5, 4, 5, 3, 5, 10, 1, 1, 4, 1, 2, 2, 3, 2)


def round_half_up(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def rate(num: int, den: int) -> dict[str, Any]:
    pct = None if den == 0 else round_half_up(Decimal(100 * num) / Decimal(den))
    return {"num": num, "den": den, "pct": pct}


def change(current: float, base: float) -> float | None:
    if base == 0:
        return None
    cur, old = Decimal(repr(current)), Decimal(repr(base))
    return round_half_up(100 * (cur - old) / old)


def _rng(*key: object) -> random.Random:
    return random.Random(zlib.crc32("|".join(map(str, key)).encode()))


def _binom(rng: random.Random, n: int, p: float) -> int:
    return sum(rng.random() < p for _ in range(n))


def _split(rng: random.Random, n: int, weights: tuple[float, ...]) -> list[int]:
    counts = [0] * len(weights)
    for i in rng.choices(range(len(weights)), weights=weights, k=n):
        counts[i] += 1
    return counts


def window(rng: random.Random, items: int) -> dict[str, Any]:
    """One window with ``items`` petition items and matching visits, risks and backlog."""
    w: dict[str, Any] = {"items_total": items}
    for name, count in zip(CHANNELS, _split(rng, items, (22, 33, 35, 10)), strict=True):
        w[f"items.{name}"] = count
    visits = {f"{lv}.{k}": 0 for lv in (*LEVELS, "individual", "collective") for k in ("b", "p")}
    leaders = dict.fromkeys(LEADERS, 0)
    leader_persons = upward = 0
    for _ in range(w["items.走访"]):
        level = rng.choices(LEVELS, weights=(1, 4, 15, 80))[0]
        collective = rng.random() < 0.06
        persons = rng.randint(5, 30) if collective else rng.choices((1, 2, 3, 4), (70, 18, 8, 4))[0]
        size = "collective" if collective else "individual"
        for key in (level, size):
            visits[f"{key}.b"] += 1
            visits[f"{key}.p"] += persons
        upward += level in ("国家", "省")
        if rng.random() < 0.3:
            leaders[rng.choices(LEADERS, weights=(1, 3, 6))[0]] += 1
            leader_persons += persons
    w["visits.batches"] = w["items.走访"]
    w["visits.persons"] = visits["individual.p"] + visits["collective.p"]
    for key in (*LEVELS, "individual", "collective"):
        w[f"visits.{key}.batches"], w[f"visits.{key}.persons"] = (
            visits[f"{key}.b"],
            visits[f"{key}.p"],
        )
    w["leader_receptions.batches"] = sum(leaders.values())
    w["leader_receptions.persons"] = leader_persons
    for name, count in leaders.items():
        w[f"leader_receptions.{name}.batches"] = count
    w["pyramid_ok"] = (
        w["visits.县.batches"]
        >= w["visits.市.batches"]
        >= w["visits.省.batches"]
        >= w["visits.国家.batches"]
    )
    county_level = visits["县.b"] + _binom(rng, items - w["items.走访"], 0.85)
    w["grassroots_absorption_rate"] = rate(county_level, items)
    w["online_share"] = rate(w["items.网上信访"], items)
    w["repeat_items"] = _binom(rng, items, 0.12)
    w["repeat_rate"] = rate(w["repeat_items"], items)

    due = items - _binom(rng, items, 0.03)
    late = _binom(rng, due, 0.05)
    w["timely_acceptance_rate"] = rate(due - late, due)
    w["should_accept_not_accepted"] = _binom(rng, late, 0.5)
    accepted = _binom(rng, due, 0.85)
    due_conclusion = accepted - _binom(rng, accepted, 0.2)
    missed = _binom(rng, due_conclusion, 0.07)
    w["on_time_conclusion_rate"] = rate(due_conclusion - missed, due_conclusion)
    w["should_handle_not_handled"] = _binom(rng, missed, 0.6)
    concluded = _binom(rng, items, 0.75)
    evaluated = _binom(rng, concluded, 0.93)
    w["participation_rate"] = rate(evaluated, concluded)
    w["satisfaction_rate"] = rate(_binom(rng, evaluated, 0.9), evaluated)
    first = _binom(rng, concluded, 0.85)
    first_resolved = _binom(rng, first, 0.9)
    w["first_resolution_rate"] = rate(first_resolved, first)
    w["one_time_resolution_rate"] = rate(_binom(rng, first_resolved, 0.95), first)
    mediable = _binom(rng, concluded, 0.6)
    w["mediation_agreement_rate"] = rate(_binom(rng, mediable, 0.55), mediable)

    assigned = [_binom(rng, items, p) for p in (0.002, 0.004, 0.01, 0.02, 0.04)]
    for name, count in zip(ASSIGNERS, assigned, strict=True):
        w[f"assigned.{name}"] = count
    w["assigned_completion_rate"] = rate(_binom(rng, sum(assigned), 0.85), sum(assigned))
    checked = _binom(rng, sum(assigned), 0.8)
    for name, count in zip(FINDINGS, _split(rng, checked, (3, 2, 5)), strict=True):
        w[f"findings.{name}"] = count
    for name, count in zip(CATEGORIES, _split(rng, items, CATEGORY_WEIGHTS), strict=True):
        w[f"categories.{name}"] = count
    punished = _binom(rng, items, 0.01)
    for name, count in zip(ENFORCEMENT, _split(rng, punished, (1, 2, 3, 1, 6)), strict=True):
        w[f"enforcement.{name}"] = count
    w["sensitive_upward_visits"] = _binom(rng, upward, 0.3)

    found = max(1, items // 4 + rng.randint(-3, 3))
    resolved = _binom(rng, found, 0.88)
    w["risks_found"], w["risks_resolved"] = found, resolved
    w["risk_resolution_rate"] = rate(resolved, found)
    still_open = found - resolved + rng.randint(0, 8)
    w["risks_open"] = still_open
    for name, count in zip(RISK_LEVELS, _split(rng, still_open, (1, 3, 6)), strict=True):
        w[f"risks_open.{name}"] = count
    w["risks_open_overdue"] = _binom(rng, still_open, 0.2)
    w["key_subjects.重点人员"] = _binom(rng, still_open, 0.15)
    w["key_subjects.重点群体"] = _binom(rng, still_open, 0.05)
    w["escalation_open.进京"] = _binom(rng, still_open, 0.04)
    w["escalation_open.赴省"] = _binom(rng, still_open, 0.1)
    w.update(_backlog(rng, max(2, items // 10)))
    return w


def _backlog(rng: random.Random, listed: int) -> dict[str, Any]:
    w: dict[str, Any] = {"backlog_listed": listed}
    counts = {f"{k}.{s}": 0 for k in (*BACKLOG_LEADERS, "10y", "15y") for s in ("l", "r")}
    resolved = terminated = overdue = cases = 0
    fund = charity = Decimal(0)
    for _ in range(listed):
        leader = rng.choices(BACKLOG_LEADERS, weights=(1, 4, 15))[0]
        age = rng.choices((5, 12, 18), weights=(6, 3, 1))[0]
        status = rng.choices(("resolved", "terminated", "open"), weights=(45, 5, 50))[0]
        groups = [leader] + [g for g, years in (("10y", 10), ("15y", 15)) if age >= years]
        for group in groups:
            counts[f"{group}.l"] += 1
            counts[f"{group}.r"] += status == "resolved"
        resolved += status == "resolved"
        terminated += status == "terminated"
        overdue += status == "open" and rng.random() < 0.3
        if status == "resolved" and rng.random() < 0.35:
            cases += 1
            fund += Decimal(rng.randint(200000, 5000000)) / 100
            charity += Decimal(rng.randint(0, 1) * rng.randint(50000, 800000)) / 100
    w["backlog_resolved"], w["backlog_terminated"] = resolved, terminated
    w["backlog_resolution_rate"] = rate(resolved, listed)
    for leader in BACKLOG_LEADERS:
        w[f"backlog_by_leader.{leader}.listed"] = counts[f"{leader}.l"]
        w[f"backlog_by_leader.{leader}.resolved"] = counts[f"{leader}.r"]
    for group in ("10y", "15y"):
        w[f"backlog_aged.{group}.listed"] = counts[f"{group}.l"]
        w[f"backlog_aged.{group}.resolved"] = counts[f"{group}.r"]
    w["backlog_open_overdue"] = overdue
    w["relief.fund"], w["relief.charity"] = float(fund), float(charity)
    w["relief.cases"] = cases
    return w


def shift(period: str, months: int) -> str:
    index = int(period[:4]) * 12 + int(period[5:7]) - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def monthly_items(code: str, period: str) -> int:
    """A unit's items in a month: its size, a seasonal swing, and noise."""
    size = 40 + zlib.crc32(code.encode()) % 160
    season = 1.0 + 0.25 * (int(period[5:7]) in (1, 2, 3, 12))
    return max(0, round(size * season * _rng(code, period, "size").uniform(0.8, 1.2)))


@cache
def _month_window(code: str, period: str) -> dict[str, Any]:
    return window(_rng(code, period, "month"), monthly_items(code, period))


@cache
def _ytd_window(code: str, period: str) -> dict[str, Any]:
    if period.endswith("-01"):  # January: the year so far is the month
        return _month_window(code, period)
    months = [f"{period[:4]}-{m:02d}" for m in range(1, int(period[5:7]) + 1)]
    w = window(_rng(code, period, "ytd"), sum(monthly_items(code, p) for p in months))
    month = _month_window(code, period)
    w.update({key: month[key] for key in STOCKS})
    return w


def month_window(code: str, period: str) -> dict[str, Any]:
    """A unit's ``month`` window (generated once, a fresh copy each time)."""
    return copy.deepcopy(_month_window(code, period))


def ytd_window(code: str, period: str) -> dict[str, Any]:
    return copy.deepcopy(_ytd_window(code, period))


def changes(windows: dict[str, dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    pairs = {
        "ytd_yoy_pct": ("ytd", "ytd_ly"),
        "month_yoy_pct": ("month", "month_ly"),
        "month_mom_pct": ("month", "prev_month"),
    }
    return {
        name: {
            key: change(windows[cur][key], windows[base][key])
            for key, value in windows[cur].items()
            if not isinstance(value, (dict, bool))
        }
        for name, (cur, base) in pairs.items()
    }


def figures_file(unit: dict[str, str], period: str, windows: dict[str, Any]) -> dict[str, Any]:
    return {
        "unit": unit,
        "period": period,
        "submissions": {
            kind: {
                "accepted_at": f"{shift(period, 1)}-02T01:30:00+08:00",
                "sha256": f"{zlib.crc32((unit['code'] + kind).encode()):08x}" * 8,
            }
            for kind in ("petitions", "risks", "backlog")
        },
        "windows": windows,
        "changes": changes(windows),
    }


def county(code: str, period: str) -> dict[str, Any]:
    unit = reference.units()[code]
    windows = {
        "month": month_window(code, period),
        "ytd": ytd_window(code, period),
        "prev_month": month_window(code, shift(period, -1)),
        "month_ly": month_window(code, shift(period, -12)),
        "ytd_ly": ytd_window(code, shift(period, -12)),
    }
    return figures_file({"code": code, "name": unit.name, "level": "county"}, period, windows)


def rollup(windows: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts and money summed, rates recomputed from summed numerators and denominators."""
    out: dict[str, Any] = {}
    for key, value in windows[0].items():
        if isinstance(value, dict):
            out[key] = rate(
                sum(w[key]["num"] for w in windows), sum(w[key]["den"] for w in windows)
            )
        elif key in MONEY:
            out[key] = round_half_up(sum(Decimal(repr(w[key])) for w in windows))
        elif key not in FLAGS:
            out[key] = sum(w[key] for w in windows)
    out["pyramid_ok"] = (
        out["visits.县.batches"]
        >= out["visits.市.batches"]
        >= out["visits.省.batches"]
        >= out["visits.国家.batches"]
    )
    return out


def prefecture(code: str, period: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A prefecture's figures file (the roll-up of its counties) and the counties' files."""
    members = reference.units_of_prefecture(code)
    counties = [county(u.code, period) for u in members]
    windows = {
        name: rollup([c["windows"][name] for c in counties]) for name in counties[0]["windows"]
    }
    unit = {"code": code, "name": members[0].prefecture_name, "level": "prefecture"}
    return figures_file(unit, period, windows), counties


def trend(codes: list[str], period: str) -> dict[str, dict[str, Any]]:
    """The previous 11 months' ``month`` windows (summed over ``codes`` for a roll-up)."""
    return {
        shift(period, -k): rollup([month_window(c, shift(period, -k)) for c in codes])
        for k in range(11, 0, -1)
    }


def quality(unit_name: str, period: str) -> tuple[SubmissionUsed, ...]:
    """Three accepted submissions and one rejected one, with clerk messages in Chinese."""
    end = datetime.fromisoformat(f"{shift(period, 1)}-01T00:00:00+08:00") - timedelta(days=1)
    return (
        SubmissionUsed(
            "petitions",
            f"{unit_name}信访事项登记台账（{period[:4]}年）.xlsx",
            end - timedelta(days=2, hours=3),
            2,
            "accepted",
            (
                f"{unit_name}信访事项登记台账（{period[:4]}年）.xlsx 第 37 行「证件号码」"
                "4108831990******** 校验位错误，已按无证件号码处理",
                f"{unit_name}信访事项登记台账（{period[:4]}年）.xlsx 第 112 行「信访人数」"
                "为空，已按 1 人计",
            ),
        ),
        SubmissionUsed("risks", "矛盾纠纷排查台账.csv", end - timedelta(days=9), 9, "accepted"),
        SubmissionUsed(
            "backlog",
            "信访积案台账.xls",
            end - timedelta(days=40),
            40,
            "accepted",
            ("信访积案台账.xls 第 8 行「化解日期」为空，状态为化解中，已忽略",),
        ),
        SubmissionUsed(
            "petitions",
            "台账（修改版）.xlsx",
            end.astimezone(UTC),
            0,
            "rejected",
            ("台账（修改版）.xlsx 第 5 行「办结日期」2025-02-30 不是有效日期",),
        ),
    )


def county_context(code: str, period: str, **overrides: Any) -> BulletinContext:
    figures = county(code, period)
    name = figures["unit"]["name"]
    fields: dict[str, Any] = {
        "figures": figures,
        "bureau": f"{name}信访局",
        "issue_date": datetime.fromisoformat(f"{shift(period, 1)}-05").date(),
        "trend": trend([code], period),
        "quality": quality(name, period),
    }
    fields.update(overrides)
    return BulletinContext(**fields)


def prefecture_context(code: str, period: str, **overrides: Any) -> BulletinContext:
    figures, counties = prefecture(code, period)
    name = figures["unit"]["name"]
    fields: dict[str, Any] = {
        "figures": figures,
        "bureau": f"{name}信访局",
        "counties": tuple(counties),
        "issue_date": datetime.fromisoformat(f"{shift(period, 1)}-05").date(),
        "trend": trend([c["unit"]["code"] for c in counties], period),
        "quality": quality(name, period),
    }
    fields.update(overrides)
    return BulletinContext(**fields)
