"""The truth obeys the rules the quality gate enforces, and statuses move between snapshots."""

from __future__ import annotations

import pandas as pd

from xinfang.schema import CATEGORIES, CATEGORY_CROSSWALK, LEDGERS, RISK_DOMAINS


def _le(a: pd.Series, b: pd.Series) -> bool:
    """a <= b wherever both are present."""
    both = a.notna() & b.notna()
    return bool((a[both] <= b[both]).all())


def test_date_order_and_nothing_after_the_snapshot(demo):
    p = demo.truth("petitions")
    assert _le(p["registered_on"], p["accepted_on"]) and _le(p["accepted_on"], p["concluded_on"])
    assert _le(p["concluded_on"], p["review_concluded_on"])
    r = demo.truth("risks")
    assert _le(r["found_on"], r["resolved_on"]) and _le(r["found_on"], r["due_on"])
    b = demo.truth("backlog")
    assert _le(b["first_petitioned_on"], b["listed_on"]) and _le(b["listed_on"], b["resolved_on"])
    for kind, t in (("petitions", p), ("risks", r), ("backlog", b)):
        for f in LEDGERS[kind].fields:
            if f.kind == "date" and f.name != "due_on":  # a deadline may lie ahead
                assert _le(t[f.name], t["snapshot_date"]), (kind, f.name)


def test_counts_keys_statuses_and_classes(demo):
    p, r, b = (demo.truth(k) for k in ("petitions", "risks", "backlog"))
    assert (p["persons"] >= 1).all() and (r["persons"].dropna() >= 1).all()
    for kind, t in (("petitions", p), ("risks", r), ("backlog", b)):
        assert not t.duplicated(["file", LEDGERS[kind].key]).any()
        for f in LEDGERS[kind].fields:
            if f.kind == "enum":
                assert set(t[f.name].dropna()) <= set(f.canonical_values), (kind, f.name)
            if f.required:
                assert t[f.name].notna().all(), (kind, f.name)
        first = t["category"].str.split("_").str[0]
        assert (first.map(lambda c: CATEGORY_CROSSWALK.get(c, c)) == t["category_l1"]).all()
        known = set(CATEGORIES) | (set(RISK_DOMAINS) if kind == "risks" else set())
        assert set(t["category_l1"]) <= known
    assert ((r["status"] == "已化解") == r["resolved_on"].notna()).all()
    assert (b["status"].isin(["已化解", "已终结"]) == b["resolved_on"].notna()).all()
    assert ((p["acceptance"] == "待受理") == p["accepted_on"].isna()).all()
    assert p.loc[p["concluded_on"].notna(), "acceptance"].eq("受理").all()
    assert set(CATEGORY_CROSSWALK) & set(p["category"].str.split("_").str[0])


def test_statuses_evolve_from_one_snapshot_to_the_next(demo):
    first, last = sorted({e.snapshot_date for e in demo.manifest.good})[::2]

    def pair(kind: str, column: str) -> pd.DataFrame:
        """``column`` in the first and the last snapshot, for keys in both."""
        t = demo.truth(kind)
        index = ["unit_code", LEDGERS[kind].key]
        a = t[t["snapshot_date"] == first].set_index(index)[column]
        z = t[t["snapshot_date"] == last].set_index(index)[column]
        return pd.concat({"before": a, "after": z}, axis=1, join="inner")

    acc = pair("petitions", "acceptance")
    assert ((acc["before"] == "待受理") & (acc["after"] != "待受理")).sum() > 50
    done = pair("petitions", "concluded_on")
    assert (done["before"].isna() & done["after"].notna()).sum() > 50
    risks = pair("risks", "status")
    assert (risks["before"].isin(["未化解", "化解中"]) & (risks["after"] == "已化解")).sum() > 20
    cases = pair("backlog", "status")
    closed = cases[
        cases["before"].isin(["未化解", "化解中"]) & cases["after"].isin(["已化解", "已终结"])
    ]
    assert set(closed.index.get_level_values(0)) == {u["code"] for u in demo.manifest.units}


def test_rows_dropped_from_a_later_snapshot_are_old_closed_risks(demo):
    r = demo.truth("risks")
    dropping = [e for e in demo.manifest.good if "rows_dropped" in e.quirks]
    assert dropping
    for e in dropping:
        unit = r[r["unit_code"] == e.unit_code]
        before = unit[unit["snapshot_date"] < e.snapshot_date]
        now = set(unit.loc[unit["file"] == e.path, "risk_id"])
        gone = before[~before["risk_id"].isin(now)].drop_duplicates("risk_id", keep="last")
        assert len(gone) > 0
        assert (gone["status"] == "已化解").all()
        assert (gone["resolved_on"] < pd.Timestamp(e.snapshot_date.year, 1, 1).date()).all()
