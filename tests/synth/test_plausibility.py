"""Would a bureau statistician believe it: volumes, seasons, pyramid, channels, classes."""

from __future__ import annotations

import pandas as pd

from xinfang.reference import sensitive_periods
from xinfang.schema import COLLECTIVE_THRESHOLD


def _monthly(t: pd.DataFrame, column: str) -> pd.Series:
    return t.groupby(pd.to_datetime(t[column]).dt.to_period("M")).size()


def test_volumes_like_real_counties(demo):
    p = demo.latest("petitions")
    per_unit_month = p.groupby("unit_code").size() / 25
    assert per_unit_month.between(50, 210).all()
    assert per_unit_month.max() > 1.5 * per_unit_month.min()  # units differ in size
    risks_per_month = demo.latest("risks").groupby("unit_code").size() / 25
    assert risks_per_month.between(8, 45).all()
    assert demo.latest("backlog").groupby("unit_code").size().between(10, 50).all()


def test_collective_visits_are_about_a_tenth_of_visit_batches(demo):
    visits = demo.latest("petitions").query("channel == '走访'")
    collective = visits["persons"] >= COLLECTIVE_THRESHOLD
    assert 0.08 <= collective.mean() <= 0.12
    assert visits.loc[collective, "persons"].between(5, 40).all()
    assert visits.loc[~collective, "persons"].between(1, 4).all()


def test_visit_pyramid_holds_every_year(demo):
    visits = demo.latest("petitions").query("channel == '走访'")
    years = pd.to_datetime(visits["registered_on"]).dt.year
    for _, year in visits.groupby(years):
        n = year["level"].value_counts()
        assert n["县"] > 3 * n["市"] and n["市"] > n["省"] > n["国家"] > 0


def test_channels(demo):
    share = demo.latest("petitions")["channel"].value_counts(normalize=True)
    assert share.index[0] == "网上信访" and share["网上信访"] > 0.35
    assert set(share.index) == {"网上信访", "走访", "来信", "电话"} and share.min() > 0.1


def test_spring_festival_dip_and_lianghui_rise(demo):
    p = demo.latest("petitions")
    months = _monthly(p, "registered_on")
    days = pd.to_datetime(p["registered_on"])
    checked = 0
    for period in sensitive_periods():
        start, end = pd.Timestamp(period.starts_on), pd.Timestamp(period.ends_on)
        if period.kind == "holiday" and "春节" in period.name:
            inside = pd.period_range(start, end, freq="M")
            before, after = inside[0] - 1, inside[-1] + 1
            if before not in months.index or after not in months.index:
                continue
            for m in inside:
                assert months[m] < 0.9 * months[before] and months[m] < 0.9 * months[after]
            checked += 1
        lead = start - pd.Timedelta(days=10)
        if period.kind == "lianghui" and days.min() <= lead and end <= days.max():
            per_day = days.between(lead, end).sum() / ((end - lead).days + 1)
            spring = days.dt.month.isin([4, 5, 6])
            base = spring.sum() / days[spring].dt.normalize().nunique()
            assert per_day > 1.15 * base, period.name
            checked += 1
    assert checked >= 3


def test_lead_classes_and_repeat_petitioners(demo):
    p = demo.latest("petitions")
    top = p["category_l1"].value_counts().index[:4]
    assert set(top) == {"城乡建设", "劳动和社会保障", "自然资源", "农村农业"}
    assert (p["category"].str.count("_") == 2).mean() > 0.5
    assert p["category"].str.fullmatch(r"[^_]+(_[^_]+_[^_]+)?").all()
    identified = p[p["id_number"].notna()].sort_values(["registered_on", "item_id"])
    per_person = identified.groupby("id_number")
    repeaters = per_person.size()
    assert (repeaters > 1).sum() > 300 and repeaters.max() >= 4
    later = identified[identified.duplicated("id_number")]
    assert not later["is_first"].any()
    first_class = per_person["category_l1"].transform("first")[later.index]
    assert (later["category_l1"] == first_class).mean() > 0.7
    assert 0.12 < (~p["is_first"]).mean() < 0.35


def test_petition_outcomes_look_like_a_bureau(demo):
    p = demo.latest("petitions")
    concluded = p[p["concluded_on"].notna()]
    sat = concluded["satisfaction"].value_counts(normalize=True)
    assert sat["满意"] > sat["基本满意"] > sat["不满意"] and sat["不满意"] < 0.1
    assert concluded["handling"].eq("调解").mean() > 0.1
    assert (
        concluded.loc[concluded["handling"] == "调解", "mediation_agreement"].eq(True).mean() > 0.5
    )
    extended = p["extended"].eq(True)
    assert 0 < extended.mean() < 0.15
    assert concluded.loc[concluded["assigned_by"].notna(), "finding"].notna().all()
    assert set(p["leader_reception"].dropna()) == {"市级", "县级", "乡科级"}
    assert 0 < p["enforcement"].notna().sum() < 0.01 * len(p)
    assert set(p["review_stage"].dropna()) == {"复查", "复核", "终结"}
    limit = pd.to_timedelta(60 + 30 * extended.astype(int), unit="D")
    late = pd.to_datetime(p["concluded_on"]) > pd.to_datetime(p["accepted_on"]) + limit
    assert 0 < late.mean() < 0.06


def test_risks_and_backlog(demo):
    r = demo.latest("risks")
    assert r["risk_level"].value_counts().idxmax() == "低"
    assert set(r["escalation_risk"].dropna()) == {"进京", "赴省"}
    assert set(r["key_subject"].dropna()) == {"重点人员", "重点群体"}
    assert r["category_l1"].isin(["房地产", "征地拆迁", "双拖欠", "问题楼盘"]).mean() > 0.15
    b = demo.latest("backlog")
    assert set(b["leader_level"]) == {"省级", "市级", "县级"}
    assert b["leader_level"].value_counts().idxmax() == "县级"
    age = (pd.Timestamp("2026-10-31") - pd.to_datetime(b["first_petitioned_on"])).dt.days / 365.25
    assert (age >= 10).mean() > 0.3 and (age >= 15).sum() > 10
    resolved = b[b["status"].isin(["已化解", "已终结"])]
    assert resolved["relief_fund"].notna().sum() > 20 and resolved["charity_fund"].notna().any()
    assert b.loc[b["relief_fund"].notna(), "status"].isin(["已化解", "已终结"]).all()
    assert b["item_id"].notna().any()
    linked = b["item_id"].dropna()
    assert linked.isin(demo.latest("petitions")["item_id"]).all()
