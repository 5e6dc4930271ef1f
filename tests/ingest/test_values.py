"""How one cell's text reads, form by form."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from xinfang.ingest.header import HeaderMatch, find_header
from xinfang.ingest.values import first_level, parse_bool, parse_count, parse_date, parse_money

JAN3 = date(2025, 1, 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-01-03", JAN3),
        ("2025/1/3", JAN3),
        ("2025.1.3", JAN3),
        ("2025年1月3日", JAN3),
        ("2025 年 1 月 3 日", JAN3),
        ("2025-01-03 00:00:00", JAN3),  # a date cell as the reader gives it
        ("2025-01-03T08:30", JAN3),
        ("20250103", JAN3),
        ("45660", JAN3),  # Excel serial, 1900 date system
        ("45660.75", JAN3),
        ("61", date(1900, 3, 1)),
        ("2025-02-30", None),
        ("2025-13-01", None),
        ("2025-1", None),
        ("25-1-3", None),
        ("0", None),
        ("3000000", None),
        ("昨天", None),
    ],
)
def test_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        *((t, True) for t in ("是", "Y", "y", "YES", "1", "√", "✓", "✔", "TRUE", "true")),
        *((t, False) for t in ("否", "N", "n", "no", "0", "×", "FALSE", "false")),
        ("可能", None),
        ("2", None),
    ],
)
def test_yes_no(text, expected):
    assert parse_bool(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3", 3), ("1,000", 1000), ("3人", 3), ("12人次", 12), ("3.0", 3), ("0", 0),
     ("-3", None), ("1.5", None), ("三", None)],
)  # fmt: skip
def test_counts(text, expected):
    assert parse_count(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234.5元", Decimal("1234.50")),
        ("¥2,000", Decimal("2000.00")),
        ("-5", Decimal("-5.00")),
        ("0.125", Decimal("0.12")),
        ("一千", None),
        ("NaN", None),
        ("Infinity", None),
        ("1e20", None),
    ],
)
def test_money(text, expected):
    assert parse_money(text) == expected


@pytest.mark.parametrize(
    ("category", "level"),
    [("国土资源_征地_补偿", "自然资源"), ("政法", "政法"), ("教育文体 _学校", "教育"), ("x", "x")],
)
def test_first_level(category, level):
    assert first_level(category) == level


def test_canonical_header_beats_alias_and_stars_are_ignored():
    row = {0: "编号", 1: "*信访件编号", 2: "登记日期*", 3: "信访形式", 4: "登记层级", 5: "人数",
           6: "内容分类", 7: "是否初次信访"}  # fmt: skip
    found = find_header([{0: "示例数据，仅供参考"}, row])
    assert isinstance(found, HeaderMatch)
    assert (found.ledger.kind, found.row_index, found.is_sample) == ("petitions", 1, True)
    assert {k: (c.index, c.header) for k, c in found.columns.items()} == {
        "item_id": (1, "*信访件编号"), "registered_on": (2, "登记日期*"),
        "channel": (3, "信访形式"), "level": (4, "登记层级"), "persons": (5, "人数"),
        "category": (6, "内容分类"), "is_first": (7, "是否初次信访"),
    }  # fmt: skip


def test_the_ledger_is_told_by_its_header_not_its_name():
    risks = {0: "编号", 1: "排查日期", 2: "涉及领域", 3: "风险等级", 4: "化解状态"}
    backlog = {0: "编号", 1: "信访件编号", 2: "初访日期", 3: "列入日期", 4: "内容分类",
               5: "包案领导级别", 6: "化解状态"}  # fmt: skip
    assert find_header([risks]).ledger.kind == "risks"
    found = find_header([backlog])
    assert found.ledger.kind == "backlog"
    assert (found.columns["case_id"].index, found.columns["item_id"].index) == (0, 1)
