"""Figures files of the hand-built case against values worked out by hand from its rows.

See tests/dbt/hand_case.py for the rows; each expected value below is counted from them.
"""

from __future__ import annotations

import json

import duckdb
import pytest

from xinfang.figures import figures_for, figures_for_many, to_json
from xinfang.schema import CATEGORIES

A, B, C = "410883", "410882", "410181"
PREFECTURE, PROVINCE = "410800", "410000"
WINDOWS = ["month", "ytd", "prev_month", "month_ly", "ytd_ly"]


def spec_ids() -> list[str]:
    """Every id of indicators.md, spelled out from its tables (not from the dbt catalogue)."""
    ids = ["items_total", *(f"items.{c}" for c in ["来信", "走访", "网上信访", "电话"])]
    ids += ["visits.batches", "visits.persons"]
    ids += [f"visits.{x}.{m}" for x in ["国家", "省", "市", "县", "individual", "collective"]
            for m in ["batches", "persons"]]  # fmt: skip
    ids += ["leader_receptions.batches", "leader_receptions.persons"]
    ids += [f"leader_receptions.{x}.batches" for x in ["市级", "县级", "乡科级"]]
    ids += ["pyramid_ok", "grassroots_absorption_rate", "online_share", "repeat_items",
            "repeat_rate", "timely_acceptance_rate", "should_accept_not_accepted",
            "on_time_conclusion_rate", "should_handle_not_handled", "participation_rate",
            "satisfaction_rate", "first_resolution_rate", "one_time_resolution_rate",
            "mediation_agreement_rate"]  # fmt: skip
    ids += [f"assigned.{s}" for s in ["中央巡视", "省委巡视", "国家信访局", "省信访局", "市信访局"]]
    ids += ["assigned_completion_rate", *(f"findings.{f}" for f in ["属实", "部分属实", "不属实"])]
    ids += [f"categories.{c}" for c in CATEGORIES]
    ids += [f"enforcement.{m}" for m in ["刑事强制措施", "行政拘留", "警告", "罚款", "批评教育"]]
    ids += ["sensitive_upward_visits", "risks_found", "risks_resolved", "risk_resolution_rate",
            "risks_open", "risks_open.高", "risks_open.中", "risks_open.低", "risks_open_overdue",
            "key_subjects.重点人员", "key_subjects.重点群体", "escalation_open.进京",
            "escalation_open.赴省", "backlog_listed", "backlog_resolved",
            "backlog_resolution_rate", "backlog_terminated"]  # fmt: skip
    ids += [f"backlog_by_leader.{x}.{m}" for x in ["省级", "市级", "县级"]
            for m in ["listed", "resolved"]]  # fmt: skip
    ids += [f"backlog_aged.{x}.{m}" for x in ["10y", "15y"] for m in ["listed", "resolved"]]
    ids += ["backlog_open_overdue", "relief.fund", "relief.charity", "relief.cases"]
    return ids


def rate(num: int, den: int, pct: float | None) -> dict:
    return {"num": num, "den": den, "pct": pct}


# 孟州市, March 2025, as known on 03-31 (every id; zeros where nothing happened)
A_MARCH = {i: 0 for i in spec_ids()} | {
    "items_total": 9, "items.来信": 3, "items.走访": 4, "items.网上信访": 1, "items.电话": 1,
    "visits.batches": 4, "visits.persons": 11,
    "visits.国家.batches": 1, "visits.国家.persons": 1, "visits.省.batches": 1,
    "visits.省.persons": 6, "visits.市.batches": 1, "visits.市.persons": 2,
    "visits.县.batches": 1, "visits.县.persons": 2,
    "visits.individual.batches": 3, "visits.individual.persons": 5,
    "visits.collective.batches": 1, "visits.collective.persons": 6,
    "leader_receptions.batches": 1, "leader_receptions.persons": 2,
    "leader_receptions.县级.batches": 1, "pyramid_ok": True,
    "grassroots_absorption_rate": rate(5, 9, 55.56), "online_share": rate(1, 9, 11.11),
    "repeat_items": 2, "repeat_rate": rate(2, 9, 22.22),
    # A-005 decided late, A-006 overdue; not due yet
    "timely_acceptance_rate": rate(4, 6, 66.67), "should_accept_not_accepted": 1,
    # A-002 concluded 04-05, A-003 open: both within their limits at 03-31
    "on_time_conclusion_rate": rate(2, 2, 100.0),
    # concluded in March: A-001 满意, A-007 未评价, A-009 基本满意, A-014 blank
    "participation_rate": rate(2, 4, 50.0), "satisfaction_rate": rate(2, 2, 100.0),
    "first_resolution_rate": rate(4, 4, 100.0),
    # A-001's person came back on the same class on 03-25; A-009's comes back on 04-02
    "one_time_resolution_rate": rate(3, 4, 75.0),
    "mediation_agreement_rate": rate(1, 4, 25.0),
    "assigned_completion_rate": rate(0, 0, None),
    "categories.城乡建设": 7, "categories.农村农业": 1, "categories.教育": 1,
    "sensitive_upward_visits": 2,  # A-002 (省, 03-04) and A-003 (国家, 03-10): 全国两会
    "risks_found": 3, "risks_resolved": 1, "risk_resolution_rate": rate(1, 3, 33.33),
    "risks_open": 3, "risks_open.高": 1, "risks_open.中": 1, "risks_open.低": 1,
    "risks_open_overdue": 1, "key_subjects.重点人员": 1, "escalation_open.进京": 1,
    "escalation_open.赴省": 1,
    "backlog_listed": 3, "backlog_resolved": 1, "backlog_resolution_rate": rate(1, 3, 33.33),
    "backlog_by_leader.省级.listed": 1, "backlog_by_leader.县级.listed": 2,
    "backlog_by_leader.县级.resolved": 1, "backlog_aged.10y.listed": 2,
    "backlog_aged.10y.resolved": 1, "backlog_open_overdue": 2,
    "relief.fund": 5000.5, "relief.charity": 0.0, "relief.cases": 1,
}  # fmt: skip


@pytest.fixture(scope="module")
def a_march(con: duckdb.DuckDBPyConnection) -> dict:
    return figures_for(con, A, "2025-03")


def test_county_month_window_every_id(a_march: dict) -> None:
    assert a_march["unit"] == {"code": A, "name": "孟州市", "level": "county"}
    assert a_march["period"] == "2025-03"
    assert list(a_march["windows"]) == WINDOWS
    for window in WINDOWS:
        assert sorted(a_march["windows"][window]) == sorted(spec_ids())
    assert a_march["windows"]["month"] == A_MARCH
    # types of the file: counts int, money float, pyramid bool
    month = a_march["windows"]["month"]
    assert type(month["items_total"]) is int
    assert type(month["relief.fund"]) is float
    assert month["pyramid_ok"] is True


def test_county_other_windows(a_march: dict) -> None:
    ytd, prev, month_ly, ytd_ly = (a_march["windows"][w] for w in WINDOWS[1:])
    assert ytd["items_total"] == 13  # with A-016, missing from the latest submission
    # + A-007 and on time, A-016 never decided
    assert ytd["timely_acceptance_rate"] == rate(7, 10, 70.0)
    assert ytd["should_accept_not_accepted"] == 2
    # A-007 (extended: limit 04-08) on time; A-008 (limit 03-13) open and overdue
    assert ytd["on_time_conclusion_rate"] == rate(4, 5, 80.0)
    assert ytd["should_handle_not_handled"] == 1
    assert ytd["assigned.省信访局"] == 1
    assert ytd["assigned_completion_rate"] == rate(1, 1, 100.0)
    assert ytd["findings.属实"] == 1
    assert ytd["enforcement.批评教育"] == 1
    assert ytd["categories.城乡建设"] == 9
    assert ytd["repeat_rate"] == rate(2, 13, 15.38)
    assert ytd["grassroots_absorption_rate"] == rate(9, 13, 69.23)
    # February, as known on 02-28: A-009 concluded 03-05 is not due; R5 found and resolved
    assert prev["items_total"] == 1
    assert prev["timely_acceptance_rate"] == rate(1, 1, 100.0)
    assert prev["on_time_conclusion_rate"] == rate(0, 0, None)
    assert prev["risk_resolution_rate"] == rate(1, 1, 100.0)
    assert (prev["risks_open"], prev["risks_open.中"], prev["escalation_open.赴省"]) == (1, 1, 1)
    assert prev["risks_open_overdue"] == 0
    # B2 terminated in February is on February's list; B5 was overdue from 02-01
    assert (prev["backlog_listed"], prev["backlog_terminated"]) == (4, 1)
    assert prev["backlog_open_overdue"] == 1
    # March 2024: one collective visit at 市 received by a 市级 leader; no 县 visit
    assert month_ly["items_total"] == 1
    assert month_ly["visits.collective.persons"] == 5
    assert month_ly["leader_receptions.市级.batches"] == 1
    assert month_ly["pyramid_ok"] is False
    assert month_ly["risks_open"] == 0  # R4 found in December 2024
    assert month_ly["backlog_listed"] == 3
    assert (month_ly["backlog_aged.10y.listed"], month_ly["backlog_aged.15y.listed"]) == (2, 1)
    assert ytd_ly["items_total"] == 1


def test_county_changes(a_march: dict) -> None:
    changes = a_march["changes"]
    assert list(changes) == ["ytd_yoy_pct", "month_yoy_pct", "month_mom_pct"]
    assert changes["ytd_yoy_pct"]["items_total"] == 1200.0  # 13 against 1
    assert changes["month_yoy_pct"]["items_total"] == 800.0  # 9 against 1
    assert changes["month_mom_pct"]["items_total"] == 800.0  # 9 against 1
    assert changes["month_mom_pct"]["risks_found"] == 200.0  # 3 against 1
    assert changes["month_yoy_pct"]["risks_found"] is None  # against 0
    assert changes["month_yoy_pct"]["relief.fund"] is None
    # counts and money only: rates and the pyramid have no relative change
    assert "satisfaction_rate" not in changes["month_yoy_pct"]
    assert "pyramid_ok" not in changes["month_yoy_pct"]
    assert len(changes["month_yoy_pct"]) == len(spec_ids()) - 14  # 13 rates and pyramid_ok


def test_county_submissions_and_coverage(a_march: dict, con: duckdb.DuckDBPyConnection) -> None:
    petitions = a_march["submissions"]["petitions"]
    assert petitions["accepted_at"] == "2025-04-02T09:00:00+08:00"
    assert len(petitions["sha256"]) == 64
    assert a_march["coverage"]["month"]["risks"] == {
        "has_data": True, "units_reporting": 1, "units_total": 1,
    }  # fmt: skip
    # 巩义市 last submitted on 02-15: no data for March, data for the year to date
    c = figures_for(con, C, "2025-03")
    assert c["coverage"]["month"]["petitions"]["has_data"] is False
    assert c["coverage"]["ytd"]["petitions"]["has_data"] is True
    assert c["coverage"]["month"]["risks"]["has_data"] is False
    assert c["windows"]["ytd"]["items_total"] == 2
    assert c["submissions"]["risks"] == {}


def test_prefecture_rolls_up_numerators_and_denominators(con: duckdb.DuckDBPyConnection) -> None:
    doc = figures_for(con, PREFECTURE, "2025-03")
    month = doc["windows"]["month"]
    assert doc["unit"] == {"code": PREFECTURE, "name": "焦作市", "level": "prefecture"}
    assert month["items_total"] == 14
    # 孟州市 2/4 and 沁阳市 1/1 -> 3/5, not the mean 75 %; satisfaction 2/2 and 0/1 -> 2/3
    assert month["participation_rate"] == rate(3, 5, 60.0)
    assert month["satisfaction_rate"] == rate(2, 3, 66.67)
    # 沁阳市's 4 visits not decided within 15 days
    assert month["timely_acceptance_rate"] == rate(5, 11, 45.45)
    assert month["should_accept_not_accepted"] == 5
    # 县 2, 市 2, 省 2, 国家 3: the summed pyramid is broken
    assert month["visits.国家.batches"] == 3
    assert month["pyramid_ok"] is False
    assert month["sensitive_upward_visits"] == 4
    assert month["risks_open"] == 3
    assert doc["coverage"]["month"] == {
        "petitions": {"has_data": True, "units_reporting": 2, "units_total": 10},
        "risks": {"has_data": True, "units_reporting": 1, "units_total": 10},
        "backlog": {"has_data": True, "units_reporting": 1, "units_total": 10},
    }
    submissions = doc["submissions"]
    assert sorted(submissions["petitions"]["units"]) == [B, A]
    assert submissions["petitions"]["accepted_at"] == "2025-04-02T09:00:00+08:00"
    assert submissions["petitions"]["sha256"] is None
    assert list(submissions["risks"]["units"]) == [A]  # 沁阳市's risk ledger was rejected
    province = figures_for(con, PROVINCE, "2025-03")
    assert province["windows"]["ytd"]["items_total"] == 20  # with 巩义市's 2
    assert province["coverage"]["month"]["petitions"]["units_total"] == 157


def test_many_months_and_units_in_one_call(con: duckdb.DuckDBPyConnection) -> None:
    months = [f"2024-{m:02d}" for m in range(4, 13)] + ["2025-01", "2025-02", "2025-03"]
    trend = figures_for_many(con, [A], months)
    assert [trend[(A, m)]["windows"]["month"]["items_total"] for m in months] == [0] * 9 + [3, 1, 9]
    ranking = figures_for_many(con, [A, B], ["2025-03"])
    assert ranking[(B, "2025-03")]["windows"]["month"]["satisfaction_rate"] == rate(0, 1, 0.0)
    assert ranking[(A, "2025-03")] == figures_for(con, A, "2025-03")


def test_month_without_data_is_zeros_flagged_as_no_data(con: duckdb.DuckDBPyConnection) -> None:
    doc = figures_for(con, A, "2023-05")  # before the first month with data
    assert sorted(doc["windows"]["month"]) == sorted(spec_ids())
    assert doc["windows"]["month"]["items_total"] == 0
    assert doc["windows"]["month"]["satisfaction_rate"] == rate(0, 0, None)
    assert all(
        not ledger["has_data"] for window in doc["coverage"].values() for ledger in window.values()
    )
    assert doc["changes"]["month_yoy_pct"]["items_total"] is None


def test_unknown_unit_and_bad_month(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(KeyError, match="999999"):
        figures_for(con, "999999", "2025-03")
    with pytest.raises(ValueError):
        figures_for(con, A, "2025-13")


def test_json_round_trip(a_march: dict) -> None:
    text = to_json(a_march)
    assert "孟州市" in text  # Chinese kept readable
    assert json.loads(text) == a_march
