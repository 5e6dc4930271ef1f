"""Ledger 1, 信访事项登记台账: every item's whole life, and the ledger as known on a given night.

``life`` draws each item once with all its future events (decision, conclusion, review); ``as_of``
shows what a clerk's ledger says on one night: later events are still empty, so statuses move
from one snapshot to the next (待受理 → 受理 → 办结).
"""

from __future__ import annotations

import numpy as np

from xinfang.synth import classes, people
from xinfang.synth.calendar import draw_dates, lianghui_days
from xinfang.synth.context import UnitContext, choose
from xinfang.synth.frame import Frame, lookup, on_or_before, take, where_date, where_obj
from xinfang.synth.places import departments, monthly_items, township_office
from xinfang.synth.rng import pick

CHANNELS = {"网上信访": 0.45, "走访": 0.22, "来信": 0.16, "电话": 0.17}
LEVELS = np.array(["县", "市", "省", "国家"], dtype=object)
#: Registration level by channel: the visit pyramid is 县 ≫ 市 > 省 > 国家.
LEVEL_SHARES = {
    "走访": (0.80, 0.13, 0.05, 0.02),
    "网上信访": (0.70, 0.15, 0.10, 0.05),
    "来信": (0.74, 0.14, 0.08, 0.04),
    "电话": (0.88, 0.09, 0.03, 0.0),
}
#: Before and during 两会, visits to the province and to Beijing multiply.
LIANGHUI_UPWARD = np.array([1.0, 1.0, 3.0, 3.0])
HAS_ID = {"走访": 1.0, "网上信访": 0.97, "来信": 0.88, "电话": 0.7}
COLLECTIVE_SHARE = 0.10
REPEAT_SHARE = 0.2
PURPOSES = {"求决": 0.6, "申诉": 0.12, "揭发控告": 0.1, "意见建议": 0.1, "其他": 0.08}
ASSIGNED = {
    "市信访局": 0.5,
    "省信访局": 0.25,
    "国家信访局": 0.15,
    "省委巡视": 0.07,
    "中央巡视": 0.03,
}
OUTCOMES = {"受理": 0.86, "不予受理": 0.08, "不再受理": 0.06}
HANDLING = {"直接办理": 0.72, "调解": 0.15, "导入法定途径": 0.08, "其他": 0.05}
SATISFACTION = {"满意": 0.58, "基本满意": 0.22, "不满意": 0.05, "未评价": 0.15}
FINDINGS = {"属实": 0.2, "部分属实": 0.35, "不属实": 0.45}
REVIEW = {"复查": 0.6, "复核": 0.3, "终结": 0.1}
ENFORCEMENT = {"批评教育": 0.55, "警告": 0.2, "行政拘留": 0.15, "罚款": 0.06, "刑事强制措施": 0.04}
BORN = (np.datetime64("1940-01-01"), np.datetime64("2004-12-31"))


def _days(rng: np.random.Generator, low: int, high: int, n: int) -> np.ndarray:
    return rng.integers(low, high + 1, n).astype("timedelta64[D]")


def _bools(rng: np.random.Generator, mask: np.ndarray, p_true: float | np.ndarray) -> np.ndarray:
    """int8 booleans: drawn where ``mask``, empty (-1) elsewhere."""
    return np.where(mask, (rng.random(len(mask)) < p_true).astype(np.int8), np.int8(-1))


def _identities(rng: np.random.Generator, has_id: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Link repeat petitions to an earlier petition of the same person.

    Returns each item's root item (the person's first item here; -1 without an ID number) and
    whether the item repeats an earlier one.
    """
    ident = np.flatnonzero(has_id)
    m = len(ident)
    back = np.arange(m) - rng.geometric(1 / 120, m)
    repeat_k = (rng.random(m) < REPEAT_SHARE) & (back >= 0)
    parent = np.where(repeat_k, back, np.arange(m))
    while not np.array_equal(parent[parent], parent):
        parent = parent[parent]
    root = np.full(len(has_id), -1)
    root[ident] = ident[parent]
    repeat = np.zeros(len(has_id), dtype=bool)
    repeat[ident[repeat_k]] = True
    return root, repeat


def life(ctx: UnitContext) -> Frame:
    rng = ctx.rng("petitions")
    unit = ctx.unit
    registered = draw_dates(
        rng, ctx.window.days, monthly_items(rng, unit), trend_per_year=rng.uniform(-0.06, 0.1)
    )
    n = len(registered)
    channel = pick(rng, CHANNELS, n)

    shares = np.array([LEVEL_SHARES[c] for c in channel])
    shares[lianghui_days(registered)] *= LIANGHUI_UPWARD
    level = LEVELS[choose(rng, shares)]

    visit = channel == "走访"
    persons = rng.choice([1, 2, 3, 4], n, p=[0.62, 0.23, 0.10, 0.05]).astype(np.int32)
    persons[~visit] = 1
    collective = visit & (rng.random(n) < COLLECTIVE_SHARE)
    persons[collective] = 5 + np.minimum(rng.exponential(7.0, n), 35).astype(np.int32)[collective]
    joint = (channel == "来信") & (rng.random(n) < 0.06)
    persons[joint] = rng.integers(2, 31, n)[joint]

    has_id = rng.random(n) < lookup(channel, HAS_ID).astype(float)
    root, repeat = _identities(rng, has_id)
    roots = np.flatnonzero(root == np.arange(n))
    person_ids = np.full(n, None, dtype=object)
    person_ids[roots] = people.id_numbers(rng, ctx.home_provinces(rng, len(roots)), *BORN)
    name = people.names(rng, n)
    phone = people.phones(rng, n)
    phone[rng.random(n) < 0.08] = None
    identified = root >= 0
    id_number = where_obj(identified, person_ids[np.where(identified, root, 0)])
    name = np.where(identified, name[np.where(identified, root, 0)], name)
    phone = np.where(identified, phone[np.where(identified, root, 0)], phone)
    anonymous = ~identified & (rng.random(n) < 0.5)
    name[anonymous] = None
    phone[anonymous] = None

    id_valid = np.where(identified, np.int8(1), np.int8(-1))
    singles = np.flatnonzero(
        identified
        & (np.bincount(np.where(identified, root, n), minlength=n + 1)[:n][root] == 1)
        & (registered <= np.datetime64(ctx.window.snapshot_dates[0]))
    )
    for i in rng.choice(singles, min(len(singles), int(rng.integers(1, 4))), replace=False):
        id_number[i] = people.mistype_check_char(rng, id_number[i])
        id_valid[i] = 0

    cls = pick(rng, classes.PETITION_WEIGHTS, n)
    same_class = repeat & (rng.random(n) < 0.85)
    cls[same_class] = cls[root[same_class]]
    old_rate = float(rng.choice([0.0, 0.15, 0.6], p=[0.5, 0.35, 0.15]))
    category = classes.written(rng, cls, old_rate=old_rate, full_rate=rng.uniform(0.55, 0.9))

    is_first = np.where(repeat, np.int8(0), (rng.random(n) < 0.93).astype(np.int8))

    ymd = np.char.replace(np.datetime_as_string(registered, unit="D"), "-", "")
    seq = np.arange(n) - np.searchsorted(registered, registered) + 1
    item_id = np.char.add(np.char.add(f"XF{unit.code}", ymd), np.char.zfill(seq.astype(str), 4))

    assigned = where_obj(rng.random(n) < 0.07, pick(rng, ASSIGNED, n))
    reception = np.full(n, None, dtype=object)
    u = rng.random(n)
    county_visit = visit & (level == "县")
    reception[county_visit & (u < 0.12)] = "县级"
    reception[county_visit & (u >= 0.12) & (u < 0.22)] = "乡科级"
    reception[visit & (level == "市") & (u < 0.18)] = "市级"

    outcome = pick(rng, OUTCOMES, n)
    refused_again = repeat & same_class & (rng.random(n) < 0.22)
    outcome[refused_again] = "不再受理"
    u = rng.random(n)
    delay = np.select(
        [u < 0.85, u < 0.97], [_days(rng, 1, 10, n), _days(rng, 11, 15, n)], _days(rng, 16, 40, n)
    )
    accepted = registered + delay
    handled = outcome == "受理"

    township = ctx.township_draw(rng, n)
    responsible = np.where(rng.random(n) < 0.55, departments(unit, cls), township_office(township))

    extended = handled & (rng.random(n) < 0.06)
    u = rng.random(n)
    duration = np.select(
        [extended, u < 0.03, u < 0.038],
        [_days(rng, 61, 88, n), _days(rng, 61, 120, n), np.full(n, np.timedelta64("NaT", "D"))],
        _days(rng, 7, 58, n),
    )
    concluded = where_date(handled, accepted + duration)
    handling = where_obj(handled, pick(rng, HANDLING, n))
    satisfaction = where_obj(handled, pick(rng, SATISFACTION, n))
    unhappy = satisfaction == "不满意"
    review = where_obj(
        handled & (rng.random(n) < np.where(unhappy, 0.35, 0.008)), pick(rng, REVIEW, n)
    )
    has_review = np.not_equal(review, None)
    review_on = where_date(has_review, concluded + _days(rng, 10, 30, n))
    review_done = where_date(has_review, review_on + _days(rng, 20, 60, n))
    upward_visit = visit & np.isin(level, ["省", "国家"])
    enforcement = where_obj(
        rng.random(n) < np.where(upward_visit, 0.06, visit * 0.003), pick(rng, ENFORCEMENT, n)
    )

    return {
        "item_id": item_id.astype(object), "registered_on": registered, "channel": channel,
        "level": level, "persons": persons, "name": name, "id_number": id_number,
        "phone": phone, "township": township, "category": category, "purpose": where_obj(
            rng.random(n) < 0.94, pick(rng, PURPOSES, n)), "is_first": is_first,
        "assigned_by": assigned, "leader_reception": reception, "enforcement": enforcement,
        "id_valid": id_valid, "category_l1": cls,
        "_outcome": outcome, "_accepted_on": accepted, "_responsible": responsible,
        "_extended_on": where_date(extended, accepted + _days(rng, 50, 58, n)),
        "_concluded_on": concluded, "_handling": handling,
        "_mediation": _bools(rng, handling == "调解", 0.7),
        "_resolved": _bools(rng, handled, np.where(unhappy, 0.3, 0.9)),
        "_satisfaction": satisfaction,
        "_finding": where_obj(np.not_equal(assigned, None), pick(rng, FINDINGS, n)),
        "_review": review, "_review_on": review_on, "_review_concluded_on": review_done,
    }  # fmt: skip


def as_of(life: Frame, night: np.datetime64) -> Frame:
    """The ledger as the clerk has it on ``night`` (its as-of date)."""
    f = take(life, life["registered_on"] <= night)
    decided = on_or_before(f["_accepted_on"], night)
    handled = decided & (f["_outcome"] == "受理")
    concluded = handled & on_or_before(f["_concluded_on"], night)
    reviewed = on_or_before(f["_review_on"], night)
    visible = {k: v for k, v in f.items() if not k.startswith("_")}
    return visible | {
        "acceptance": np.where(decided, f["_outcome"], "待受理"),
        "accepted_on": where_date(decided, f["_accepted_on"]),
        "responsible_unit": where_obj(handled, f["_responsible"]),
        "extended": np.where(
            handled, on_or_before(f["_extended_on"], night).astype(np.int8), np.int8(-1)
        ),
        "concluded_on": where_date(concluded, f["_concluded_on"]),
        "handling": where_obj(concluded, f["_handling"]),
        "mediation_agreement": np.where(concluded, f["_mediation"], np.int8(-1)),
        "resolved": np.where(concluded, f["_resolved"], np.int8(-1)),
        "finding": where_obj(concluded, f["_finding"]),
        "satisfaction": where_obj(concluded, f["_satisfaction"]),
        "review_stage": where_obj(reviewed, f["_review"]),
        "review_concluded_on": where_date(
            on_or_before(f["_review_concluded_on"], night), f["_review_concluded_on"]
        ),
    }
