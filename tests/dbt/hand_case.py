"""A small warehouse built by hand, whose bulletin figures are worked out by hand in the tests.

Units (all in 河南省 410000, 157 counties): 孟州市 410883 and 沁阳市 410882 of 焦作市 410800
(10 counties), 巩义市 410181 of 郑州市 410100. Everything is reported for 2025-03:

- 孟州市 submits all three ledgers; its petitions twice (2025-02-10 and 2025-04-02, the later one
  supersedes and drops item A-016, which stays, flagged absent_from_latest).
- 沁阳市 submits petitions; its only risk ledger was rejected, so it has no risk data.
- 巩义市 last submitted on 2025-02-15: no data for March, data for the year to date.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from xinfang.schema import LEDGERS, raw_columns
from xinfang.warehouse import connect

SHANGHAI = ZoneInfo("Asia/Shanghai")
A, B, C = "410883", "410882", "410181"
PREFECTURE, PROVINCE = "410800", "410000"
d = date.fromisoformat


def received(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=9, tzinfo=SHANGHAI)


def item(item_id: str, registered_on: str, channel: str, level: str, **extra: Any) -> dict:
    row = {"item_id": item_id, "registered_on": d(registered_on), "channel": channel,
           "level": level, "persons": 1, "is_first": True, "category": "城乡建设"}  # fmt: skip
    row.update({k: d(v) if k.endswith("_on") and v else v for k, v in extra.items()})
    return row


def risk(risk_id: str, found_on: str, risk_level: str, status: str, **extra: Any) -> dict:
    row = {"risk_id": risk_id, "found_on": d(found_on), "risk_level": risk_level,
           "status": status, "category": "征地拆迁"}  # fmt: skip
    row.update({k: d(v) if k.endswith("_on") and v else v for k, v in extra.items()})
    return row


def case(case_id: str, first_on: str, listed_on: str, leader_level: str, status: str,
         **extra: Any) -> dict:  # fmt: skip
    row = {"case_id": case_id, "first_petitioned_on": d(first_on), "listed_on": d(listed_on),
           "leader_level": leader_level, "status": status, "category": "自然资源"}  # fmt: skip
    row.update({k: d(v) if k.endswith("_on") and v else v for k, v in extra.items()})
    return row


A_016 = item("A-016", "2025-01-15", "来信", "县")  # dropped from the April submission

A_ITEMS_FEB = [
    item("A-007", "2025-01-05", "来信", "县", acceptance="受理", accepted_on="2025-01-08"),
    item("A-008", "2025-01-10", "走访", "县", persons=3),
    A_016,
]

A_ITEMS = [
    item("A-001", "2025-03-03", "走访", "县", persons=2, person_key="P1", acceptance="受理",
         accepted_on="2025-03-05", concluded_on="2025-03-20", resolved=True, satisfaction="满意",
         purpose="求决", mediation_agreement=True, leader_reception="县级"),
    item("A-002", "2025-03-04", "走访", "省", persons=6, person_key="P2", category="农村农业",
         acceptance="受理", accepted_on="2025-03-10", concluded_on="2025-04-05"),
    item("A-003", "2025-03-10", "走访", "国家", is_first=False, person_key="P1",
         acceptance="受理", accepted_on="2025-03-12"),
    item("A-004", "2025-03-25", "网上信访", "县", is_first=False, person_key="P1",
         acceptance="待受理"),
    item("A-005", "2025-03-01", "来信", "市", category="教育", acceptance="不予受理",
         accepted_on="2025-03-20"),
    item("A-006", "2025-03-02", "电话", "县", acceptance="待受理"),
    item("A-007", "2025-01-05", "来信", "县", person_key="P3", category="劳动和社会保障",
         acceptance="受理", accepted_on="2025-01-08", extended=True, concluded_on="2025-03-30",
         resolved=True, satisfaction="未评价", assigned_by="省信访局", finding="属实"),
    item("A-008", "2025-01-10", "走访", "县", persons=3, person_key="P4", category="政法",
         acceptance="受理", accepted_on="2025-01-12"),
    item("A-009", "2025-02-20", "来信", "县", person_key="P5", acceptance="受理",
         accepted_on="2025-02-25", concluded_on="2025-03-05", resolved=True,
         satisfaction="基本满意", purpose="申诉", mediation_agreement=False,
         enforcement="批评教育"),
    item("A-010", "2024-03-15", "走访", "市", persons=5, person_key="P6", acceptance="受理",
         accepted_on="2024-03-20", concluded_on="2024-04-10", resolved=True,
         leader_reception="市级"),
    item("A-011", "2025-03-31", "来信", "县"),
    item("A-012", "2025-04-01", "来信", "县"),
    item("A-013", "2025-04-02", "来信", "县", person_key="P5", is_first=False),
    item("A-014", "2025-03-05", "来信", "县", acceptance="受理", accepted_on="2025-03-06",
         concluded_on="2025-03-15", resolved=True),
    item("A-015", "2025-03-18", "走访", "市", persons=2),
]  # fmt: skip

A_RISKS = [
    risk("R1", "2025-03-02", "高", "化解中", key_subject="重点人员", escalation_risk="进京",
         due_on="2025-03-20"),
    risk("R2", "2025-03-05", "中", "已化解", resolved_on="2025-03-25"),
    risk("R3", "2025-03-10", "低", "已化解", resolved_on="2025-04-03"),
    risk("R4", "2024-12-01", "中", "未化解", escalation_risk="赴省", due_on="2025-06-30"),
    risk("R5", "2025-02-15", "高", "已化解", resolved_on="2025-02-20"),
]  # fmt: skip

A_CASES = [
    case("B1", "2010-05-01", "2020-01-01", "县级", "已化解", resolved_on="2025-03-15",
         relief_fund="5000.50"),
    case("B2", "2008-01-01", "2019-06-01", "市级", "已终结", resolved_on="2025-02-10"),
    case("B3", "2022-01-01", "2024-06-01", "省级", "化解中", due_on="2025-03-01"),
    case("B4", "2023-01-01", "2025-04-10", "县级", "未化解"),
    case("B5", "2015-01-01", "2021-01-01", "县级", "已化解", resolved_on="2025-04-05",
         due_on="2025-02-01", relief_fund="1000", charity_fund="200.25"),
]  # fmt: skip

B_ITEMS = [
    item("B-001", "2025-03-10", "走访", "县", acceptance="受理", accepted_on="2025-03-11",
         concluded_on="2025-03-20", resolved=True, satisfaction="不满意"),
    item("B-002", "2025-03-12", "走访", "市", persons=7, is_first=False),
    item("B-003", "2025-03-15", "走访", "省"),
    item("B-004", "2025-03-05", "走访", "国家"),
    item("B-005", "2025-03-06", "走访", "国家"),
]  # fmt: skip

C_ITEMS = [
    item("C-001", "2025-01-20", "来信", "县"),
    item("C-002", "2025-02-03", "电话", "县"),
]


def add_submission(
    con: duckdb.DuckDBPyConnection,
    unit_code: str,
    kind: str,
    received_at: datetime,
    rows: Iterable[Mapping[str, Any]],
    *,
    outcome: str = "accepted",
) -> str:
    """Register one submitted file and, when accepted, load its rows with their lineage."""
    rows = list(rows)
    sha = hashlib.sha256(f"{unit_code}{kind}{received_at}{rows}".encode()).hexdigest()
    submission_id = f"{unit_code}-{sha[:16]}"
    con.execute(
        "INSERT INTO raw.submissions VALUES (?, ?, ?, ?, 100, ?, ?, ?, ?, 'csv', 'utf-8', ?, ?,"
        " 0, 0, false)",
        [submission_id, unit_code, f"{kind}.csv", sha, received_at, received_at,
         f"{unit_code}/{sha}.csv", kind, outcome, len(rows)],
    )  # fmt: skip
    if outcome != "accepted":
        return submission_id
    columns = [name for name, _ in raw_columns(LEDGERS[kind])]
    lineage = {"submission_id": submission_id, "unit_code": unit_code, "sha256": sha,
               "received_at": received_at}  # fmt: skip
    insert = (
        f"INSERT INTO raw.{kind} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    )
    for source_row, row in enumerate(rows, start=4):
        values = {**lineage, "source_row": source_row, **row}
        if "category" in values:
            values["category_l1"] = values["category"].split("_")[0]
        con.execute(insert, [values.get(c) for c in columns])
    return submission_id


BUILT = "built.ok"  # marks a directory whose warehouse was built by dbt without failures


def hand_case_dir(basetemp: Path) -> Path:
    """Where this session builds the hand case: tests/dbt builds it (unit tests and data tests
    included), tests/figures reuses it when it is already there."""
    return basetemp / "hand_case"


def write_hand_case(path: Path) -> None:
    con = connect(path)
    try:
        add_submission(con, A, "petitions", received("2025-02-10"), A_ITEMS_FEB)
        add_submission(con, A, "petitions", received("2025-04-02"), A_ITEMS)
        add_submission(con, A, "risks", received("2025-04-02"), A_RISKS)
        add_submission(con, A, "backlog", received("2025-04-02"), A_CASES)
        add_submission(con, B, "petitions", received("2025-04-03"), B_ITEMS)
        add_submission(con, B, "risks", received("2025-04-03"), [], outcome="rejected")
        add_submission(con, C, "petitions", received("2025-02-15"), C_ITEMS)
    finally:
        con.close()
