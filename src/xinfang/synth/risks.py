"""Ledger 2, 矛盾纠纷排查台账: screened risks, 未化解 → 化解中 → 已化解."""

from __future__ import annotations

import numpy as np

from xinfang.synth import classes, people
from xinfang.synth.calendar import draw_dates
from xinfang.synth.context import UnitContext
from xinfang.synth.frame import Frame, lookup, on_or_before, take, where_date
from xinfang.synth.places import departments, township_office
from xinfang.synth.rng import pick

RISK_LEVELS = {"低": 0.6, "中": 0.3, "高": 0.1}
DUE_DAYS = {"高": 30, "中": 60, "低": 90}
ESCALATION = {"高": (0.15, 0.25), "中": (0.04, 0.12), "低": (0.01, 0.04)}  # 进京, 赴省
OWNER_TITLES = ("党委书记", "党委副书记", "政法委员", "派出所所长", "司法所所长", "村党支部书记")


def life(ctx: UnitContext) -> Frame:
    rng = ctx.rng("risks")
    found = draw_dates(rng, ctx.window.days, rng.uniform(12, 40))
    n = len(found)
    cls = pick(rng, classes.RISK_WEIGHTS, n)
    category = classes.written(rng, cls, old_rate=float(rng.choice([0.0, 0.3])), full_rate=0.0)
    level = pick(rng, RISK_LEVELS, n)

    group = rng.random(n) < 0.2
    persons = np.where(
        group, 5 + np.minimum(rng.exponential(25.0, n), 295), rng.integers(1, 4, n)
    ).astype(np.int32)
    persons[rng.random(n) < 0.08] = 0

    u = rng.random(n)
    key_subject = np.full(n, None, dtype=object)
    key_subject[group & (u < 0.3)] = "重点群体"
    key_subject[~group & (u < 0.12)] = "重点人员"
    beijing, province = (
        lookup(level, {k: v[i] for k, v in ESCALATION.items()}).astype(float) for i in (0, 1)
    )
    u = rng.random(n)
    escalation = np.full(n, None, dtype=object)
    escalation[u < beijing] = "进京"
    escalation[(u >= beijing) & (u < beijing + province)] = "赴省"

    township = ctx.township_draw(rng, n)
    responsible = np.where(
        rng.random(n) < 0.7, township_office(township), departments(ctx.unit, cls)
    )
    limit = lookup(level, DUE_DAYS).astype(np.int64)
    u = rng.random(n)
    duration = np.where(
        u < 0.8, (rng.random(n) * (limit - 6)).astype(np.int64) + 5, limit + rng.integers(1, 121, n)
    ).astype("timedelta64[D]")
    resolved = where_date(u < 0.93, found + duration)

    officials = people.officials(rng, OWNER_TITLES, n)
    month = np.char.replace(np.datetime_as_string(found, unit="M"), "-", "")
    seq = (
        np.arange(n)
        - np.searchsorted(found.astype("datetime64[M]"), found.astype("datetime64[M]"))
        + 1
    )
    return {
        "risk_id": np.char.add(np.char.add("YH", month), np.char.zfill(seq.astype(str), 3)
                               ).astype(object),
        "found_on": found, "township": township, "category": category, "category_l1": cls,
        "risk_level": level, "persons": persons, "key_subject": key_subject,
        "escalation_risk": escalation,
        "owner": np.char.add(township.astype(str), officials.astype(str)).astype(object),
        "responsible_unit": responsible, "due_on": found + limit.astype("timedelta64[D]"),
        "_progress_on": found + rng.integers(0, 11, n).astype("timedelta64[D]"),
        "_resolved_on": resolved,
    }  # fmt: skip


def as_of(life: Frame, night: np.datetime64) -> Frame:
    f = take(life, life["found_on"] <= night)
    done = on_or_before(f["_resolved_on"], night)
    started = on_or_before(f["_progress_on"], night)
    visible = {k: v for k, v in f.items() if not k.startswith("_")}
    status = np.where(done, "已化解", np.where(started, "化解中", "未化解")).astype(object)
    return visible | {"status": status, "resolved_on": where_date(done, f["_resolved_on"])}
