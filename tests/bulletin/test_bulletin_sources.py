"""Contexts from the warehouse: the submissions registry behind the annex, coverage, members.

The figures API (``xinfang.figures``) is replaced by fixture figures files; the raw registry is
the real DDL in an in-memory DuckDB.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pytest

import xinfang.figures
from xinfang import reference
from xinfang.bulletin.sources import load_contexts
from xinfang.warehouse import REGISTRY_DDL

from .bulletin_figures import county, prefecture

SH = ZoneInfo("Asia/Shanghai")
MONTH = "2025-10"
NO_DATA_MONTH = "2025-03"  # the county sent nothing that covers it


#: (id, unit, ledger, file name, received (Asia/Shanghai), outcome, sample data)
SUBMISSIONS = [
    ("p-ok", "410883", "petitions", "孟州市台账.xlsx", "2025-11-01 09:30", "accepted", True),
    ("r-ok", "410883", "risks", "排查台账.csv", "2025-10-20 17:00", "accepted", False),
    ("p-bad", "410883", "petitions", "台账（修改版）.xlsx", "2025-10-31 16:00", "rejected", False),
    ("x-bad", "410883", None, "说明.docx", "2025-10-02 08:00", "rejected", False),
    ("old-bad", "410883", "petitions", "九月台账.xlsx", "2025-09-12 08:00", "rejected", False),
    ("late-bad", "410883", "petitions", "十二月台账.xlsx", "2025-12-03 08:00", "rejected", False),
    ("w-ok", "410882", "petitions", "沁阳市台账.xlsx", "2025-10-30 08:00", "accepted", False),
]
MESSAGES = [
    ("p-ok", 1, "warning", "孟州市台账.xlsx 第 37 行「证件号码」校验位错误"),
    ("p-ok", 2, "warning", "孟州市台账.xlsx 第 112 行「信访人数」为空"),
    ("p-bad", 1, "error", "台账（修改版）.xlsx 第 5 行「办结日期」2025-02-30 不是有效日期"),
    ("x-bad", 1, "error", "说明.docx 不是可识别的台账文件"),
    ("w-ok", 1, "warning", "沁阳市台账.xlsx 第 3 行「信访人数」为空"),
]


def received(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw")
    con.execute(REGISTRY_DDL)
    for sub_id, unit, kind, name, at, outcome, sample in SUBMISSIONS:
        digest = hashlib.sha256(sub_id.encode()).hexdigest()
        con.execute(
            "INSERT INTO raw.submissions VALUES"
            " (?, ?, ?, ?, 1, ?, ?, 'a', ?, 'xlsx', NULL, ?, 10, 0, 0, ?)",
            [sub_id, unit, name, digest, received(at), received(at), kind, outcome, sample],
        )
    con.executemany(
        "INSERT INTO raw.submission_messages VALUES (?, ?, ?, 'rule', NULL, NULL, NULL, ?)",
        MESSAGES,
    )
    return con


def fake_figures_for_many(con: Any, codes: list[str], months: list[str]) -> dict:
    """Fixture figures files with the registry's submissions and a ``coverage`` section."""
    out = {}
    for code in codes:
        for month in months:
            doc = (
                prefecture(code, month)[0] if code not in reference.units() else county(code, month)
            )
            covered = month != NO_DATA_MONTH
            doc["coverage"] = {
                w: {"petitions": {"has_data": covered, "units_reporting": 9, "units_total": 10}}
                for w in doc["windows"]
            }
            entries = {
                "410883": {
                    "petitions": {
                        "submission_id": "p-ok",
                        "is_sample": True,
                        "received_at": "2025-11-01T09:30:00+08:00",
                    },
                    "risks": {"submission_id": "r-ok", "is_sample": False},
                    "backlog": {},
                },
                "410882": {
                    "petitions": {"submission_id": "w-ok", "is_sample": False},
                    "risks": {},
                    "backlog": {},
                },
            }
            if code in entries:
                doc["submissions"] = entries[code]
            elif code == "410800":
                doc["submissions"] = {
                    kind: {"units": {c: entries[c][kind] for c in entries if entries[c][kind]}}
                    for kind in ("petitions", "risks", "backlog")
                }
            else:
                doc["submissions"] = {"petitions": {}, "risks": {}, "backlog": {}}
            out[(code, month)] = doc
    return out


@pytest.fixture(autouse=True)
def _figures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xinfang.figures, "figures_for_many", fake_figures_for_many)


def test_county_context(con: duckdb.DuckDBPyConnection) -> None:
    (ctx,) = load_contexts(con, MONTH, "410883", issue_date=date(2025, 11, 5))
    assert (ctx.unit_name, ctx.bureau, ctx.number, ctx.has_data) == (
        "孟州市",
        "孟州市信访局",
        10,
        True,
    )
    assert ctx.is_sample  # the petitions ledger in force is sample data
    assert ctx.counties == ()
    assert sorted(ctx.trend) == [f"2024-{m}" for m in (11, 12)] + [
        f"2025-{m:02d}" for m in range(1, 10) if m != 3
    ]
    annex = [(s.file_name, s.ledger, s.outcome, s.age_days, s.warnings) for s in ctx.quality]
    assert annex == [
        ("说明.docx", "unknown", "rejected", 29, ("说明.docx 不是可识别的台账文件",)),
        ("排查台账.csv", "risks", "accepted", 11, ()),
        (
            "台账（修改版）.xlsx",
            "petitions",
            "rejected",
            0,
            ("台账（修改版）.xlsx 第 5 行「办结日期」2025-02-30 不是有效日期",),
        ),
        (
            "孟州市台账.xlsx",
            "petitions",
            "accepted",
            0,
            (
                "孟州市台账.xlsx 第 37 行「证件号码」校验位错误",
                "孟州市台账.xlsx 第 112 行「信访人数」为空",
            ),
        ),
    ]
    assert ctx.quality[-1].received_at == datetime(2025, 11, 1, 9, 30, tzinfo=SH)


def test_a_month_without_data(con: duckdb.DuckDBPyConnection) -> None:
    (ctx,) = load_contexts(con, NO_DATA_MONTH, "410883", issue_date=date(2025, 4, 5))
    assert not ctx.has_data


def test_prefecture_context_has_its_counties_and_their_submissions(
    con: duckdb.DuckDBPyConnection,
) -> None:
    (ctx,) = load_contexts(con, MONTH, "410800", issue_date=date(2025, 11, 5))
    assert ctx.bureau == "焦作市信访局"
    assert [c["unit"]["code"] for c in ctx.counties] == [
        u.code for u in reference.units_of_prefecture("410800")
    ]
    assert {(s.unit, s.file_name) for s in ctx.quality} == {
        ("孟州市", "孟州市台账.xlsx"),
        ("孟州市", "排查台账.csv"),
        ("孟州市", "台账（修改版）.xlsx"),
        ("孟州市", "说明.docx"),
        ("沁阳市", "沁阳市台账.xlsx"),
    }


def test_all_reporting_units_and_their_prefectures(con: duckdb.DuckDBPyConnection) -> None:
    contexts = load_contexts(con, MONTH, issue_date=date(2025, 11, 5))
    assert [c.unit_code for c in contexts] == ["410882", "410883", "410800"]
