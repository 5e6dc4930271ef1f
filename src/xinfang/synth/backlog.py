"""Ledger 3, 信访积案台账: long-standing cases, some first petitioned 10-15+ years ago."""

from __future__ import annotations

import numpy as np

from xinfang.synth import classes, people
from xinfang.synth.context import UnitContext
from xinfang.synth.frame import Frame, on_or_before, take, where_date, where_obj
from xinfang.synth.places import departments, township_office
from xinfang.synth.rng import pick

ASSIGNED = {"本级排查": 0.5, "市信访局": 0.25, "省信访局": 0.12, "国家信访局": 0.08,
            "省委巡视": 0.04, "中央巡视": 0.01}  # fmt: skip
LEADER_LEVELS = {"县级": 0.74, "市级": 0.22, "省级": 0.04}
METHODS = {"法律": 0.15, "政策": 0.3, "经济": 0.15, "行政": 0.1, "调解": 0.15, "救助": 0.15}
FINAL = {"已化解": 0.8, "已终结": 0.2}
AGE_YEARS = ((0.5, 2, 10), (0.3, 10, 15), (0.2, 15, 22))  # (share, from, to) years before end


def _leader_titles(ctx: UnitContext) -> dict[str, tuple[str, ...]]:
    """包案领导 titles by level, as written: 孟州市委书记, 焦作市副市长, 河南省副省长."""
    u = ctx.unit
    k = u.name[-1]
    return {
        "县级": tuple(u.name + t for t in ("委书记", "长", f"常务副{k}长", f"副{k}长",
                                           "委常委、政法委书记", "人大常委会副主任")),
        "市级": tuple(u.prefecture_name + t for t in ("副市长", "委常委、政法委书记",
                                                      "人大常委会副主任", "政协副主席")),
        "省级": tuple(u.province_name + t for t in ("副省长", "人大常委会副主任", "政协副主席")),
    }  # fmt: skip


def life(ctx: UnitContext, petitions: Frame) -> Frame:
    rng = ctx.rng("backlog")
    n = int(rng.integers(15, 46))
    end = np.datetime64(ctx.window.end)
    share, low, high = (np.array(x) for x in zip(*AGE_YEARS, strict=True))
    band = rng.choice(len(share), n, p=share)
    age = (rng.uniform(low[band], high[band]) * 365.25).astype("timedelta64[D]")
    first = end - age
    span = (end - np.timedelta64(30, "D") - first).astype(np.int64)
    listed = first + (rng.uniform(0.3, 1.0, n) * span).astype("timedelta64[D]")
    order = np.argsort(listed, kind="stable")
    first, listed = first[order], listed[order]

    cls = pick(rng, classes.BACKLOG_WEIGHTS, n)
    category = classes.written(rng, cls, old_rate=float(rng.choice([0.0, 0.3])), full_rate=0.6)
    item_id = np.full(n, None, dtype=object)
    for i in np.flatnonzero(listed >= np.datetime64(ctx.window.start)):
        same = np.flatnonzero(
            (petitions["category_l1"] == cls[i]) & (petitions["registered_on"] <= listed[i])
        )
        if len(same) and rng.random() < 0.7:
            item_id[i] = petitions["item_id"][same[-1]]

    leader_level = pick(rng, LEADER_LEVELS, n)
    leader = np.empty(n, dtype=object)
    for lvl, titles in _leader_titles(ctx).items():
        rows = leader_level == lvl
        leader[rows] = people.officials(rng, titles, int(rows.sum()))

    resolved = listed + rng.integers(60, 2400, n).astype("timedelta64[D]")
    resolved[(resolved > end) | (rng.random(n) < 0.1)] = np.datetime64("NaT")
    first_night = np.datetime64(ctx.window.snapshot_dates[0])
    still_open = np.flatnonzero(np.isnat(resolved) & (listed < first_night))
    span_nights = max(int((end - first_night).astype(np.int64)), 1)
    for i in rng.choice(still_open, min(len(still_open), int(rng.integers(1, 3))), replace=False):
        resolved[i] = first_night + np.timedelta64(int(rng.integers(1, span_nights + 1)), "D")
    terminal = ~np.isnat(resolved)
    method = where_obj(terminal, pick(rng, METHODS, n))
    relief = terminal & (rng.random(n) < np.where(np.isin(method, ["救助", "经济"]), 0.9, 0.1))
    charity = terminal & (rng.random(n) < 0.15)

    years = listed.astype("datetime64[Y]")
    seq = np.arange(n) - np.searchsorted(years, years) + 1
    township = ctx.township_draw(rng, n)
    return {
        "case_id": np.char.add(np.char.add("JA", np.datetime_as_string(years)),
                               np.char.zfill(seq.astype(str), 3)).astype(object),
        "item_id": item_id, "first_petitioned_on": first, "listed_on": listed,
        "assigned_by": pick(rng, ASSIGNED, n), "category": category, "category_l1": cls,
        "leader": leader, "leader_level": leader_level,
        "responsible_unit": np.where(rng.random(n) < 0.8, departments(ctx.unit, cls),
                                     township_office(township)),
        "due_on": listed + rng.integers(90, 541, n).astype("timedelta64[D]"),
        "_progress_on": listed + rng.integers(0, 61, n).astype("timedelta64[D]"),
        "_resolved_on": resolved, "_final": pick(rng, FINAL, n), "_method": method,
        "_relief": np.where(relief, np.round(rng.uniform(3000, 150000, n), -2), np.nan),
        "_charity": np.where(charity, np.round(rng.uniform(1000, 30000, n), -2), np.nan),
    }  # fmt: skip


def as_of(life: Frame, night: np.datetime64) -> Frame:
    f = take(life, life["listed_on"] <= night)
    done = on_or_before(f["_resolved_on"], night)
    started = on_or_before(f["_progress_on"], night)
    visible = {k: v for k, v in f.items() if not k.startswith("_")}
    status = np.where(done, f["_final"], np.where(started, "化解中", "未化解")).astype(object)
    return visible | {
        "status": status,
        "resolved_on": where_date(done, f["_resolved_on"]),
        "method": where_obj(done, f["_method"]),
        "relief_fund": np.where(done, f["_relief"], np.nan),
        "charity_fund": np.where(done, f["_charity"], np.nan),
    }
