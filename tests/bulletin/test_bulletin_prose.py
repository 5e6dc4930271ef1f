"""Sentences and numbers, checked against values worked out by hand."""

from __future__ import annotations

import base64
import copy
import re
from dataclasses import replace
from decimal import Decimal

import pytest

from xinfang.bulletin import charts, view
from xinfang.bulletin.context import BulletinContext
from xinfang.bulletin.labels import band
from xinfang.bulletin.numbers import money, pct, share, signed
from xinfang.bulletin.prose import Writer, change, point_change, scope
from xinfang.schema import CATEGORIES

from .bulletin_figures import county_context


@pytest.fixture(scope="module")
def ctx() -> BulletinContext:
    return county_context("410883", "2025-10")


def with_items(ctx: BulletinContext, ytd: int, ytd_ly: int, yoy: float | None) -> BulletinContext:
    """``ctx`` with other year-to-date item totals (and their 同比) than the fixture's."""
    figures = copy.deepcopy(dict(ctx.figures))
    figures["windows"]["ytd"]["items_total"] = ytd
    figures["windows"]["ytd_ly"]["items_total"] = ytd_ly
    figures["changes"]["ytd_yoy_pct"]["items_total"] = yoy
    return replace(ctx, figures=figures)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("孟州市", "全市"),
        ("襄垣县", "全县"),
        ("鹤城区", "全区"),
        ("杭锦后旗", "全旗"),
        ("焦作市", "全市"),
        ("河南省", "全省"),
        ("阿拉善盟", "全盟"),
        ("大兴安岭地区", "全地区"),
        ("峨边彝族自治县", "全县"),
    ],
)
def test_scope_follows_the_unit_name(name: str, expected: str) -> None:
    assert scope(name) == expected


@pytest.mark.parametrize(
    ("value", "current", "base", "expected"),
    [
        (6.08, 1325, 1249, "同比上升6.08%"),
        (-3.1, 937, 967, "同比下降3.1%"),
        (0.0, 12, 12, "同比持平"),
        (None, 0, 0, "同比持平"),
        (None, 5, 0, "同比无可比基数"),
        (100.0, 8, 4, "同比上升100%"),
        (-12.5, 7, 8, "同比下降12.5%"),
    ],
)
def test_change_words(value: float | None, current: int, base: int, expected: str) -> None:
    assert change(value, current, base) == expected


def test_month_on_month_uses_its_own_word() -> None:
    assert change(-6.25, 45, 48, word="环比") == "环比下降6.25%"
    assert change(None, 3, 0, word="环比") == "环比无可比基数"


@pytest.mark.parametrize(
    ("current", "base", "expected"),
    [
        (95.79, 94.16, "同比提高1.63个百分点"),
        (88.0, 90.5, "同比下降2.5个百分点"),
        (90.0, 90.0, "同比持平"),
        (None, 90.0, "同比无可比数据"),
        (100.0, None, "同比无可比数据"),
    ],
)
def test_rate_changes_in_percentage_points(
    current: float | None, base: float | None, expected: str
) -> None:
    assert point_change(current, base) == expected


def test_numbers_keep_the_files_rounding() -> None:
    assert share(1, 800) == Decimal("0.13")  # half up, not half to even (0.12)
    assert share(2, 3) == Decimal("66.67")
    assert share(5, 0) is None
    assert [pct(v) for v in (100.0, 95.5, 6.08, 0.0)] == ["100%", "95.5%", "6.08%", "0%"]
    assert money(3200.0) == "3200元"
    assert money(291100.5) == "29.11万元"
    assert money(125000.0) == "12.5万元"
    assert [signed(v) for v in (6.08, -3.1, 0.0, None)] == ["+6.08%", "-3.1%", "持平", "—"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (84.99, "red"),
        (85.0, "yellow"),
        (89.99, "yellow"),
        (90.0, "green"),
        (100.0, "green"),
        (None, "none"),
    ],
)
def test_bands(value: float | None, expected: str) -> None:
    assert band(value) == expected


def test_overview_says_up_down_flat_and_no_base(ctx: BulletinContext) -> None:
    def first(c: BulletinContext) -> str:
        return Writer(c).overview()[0].split("。")[0]

    assert (
        first(with_items(ctx, 1325, 1249, 6.08))
        == "1—10月，全市共登记信访事项1325件次，同比上升6.08%"
    )
    assert (
        first(with_items(ctx, 937, 967, -3.1)) == "1—10月，全市共登记信访事项937件次，同比下降3.1%"
    )
    assert first(with_items(ctx, 400, 400, 0.0)) == "1—10月，全市共登记信访事项400件次，同比持平"
    assert first(with_items(ctx, 12, 0, None)) == "1—10月，全市共登记信访事项12件次，同比无可比基数"


def test_top_classes_are_ranked_with_share_and_change(ctx: BulletinContext) -> None:
    ytd = ctx.figures["windows"]["ytd"]
    counts = {c: ytd[f"categories.{c}"] for c in CATEGORIES}
    expected = sorted(counts.items(), key=lambda kv: (-kv[1], CATEGORIES.index(kv[0])))[:5]
    writer = Writer(ctx)
    assert writer.top_classes() == expected
    (sentence,) = writer.classes()
    name, count = expected[0]
    first_share = f"{100 * count / ytd['items_total']:.2f}".rstrip("0").rstrip(".")
    assert f"排名前五位的依次为：{name}（{count}件次，占{first_share}%，" in sentence


def test_overdue_warnings_carry_the_figures(ctx: BulletinContext) -> None:
    ytd = ctx.figures["windows"]["ytd"]
    warnings = {rule: count for rule, _, count in Writer(ctx).overdue()}
    assert warnings["应受理而不受理"] == ytd["should_accept_not_accepted"]
    assert warnings["应办理而不办理"] == ytd["should_handle_not_handled"]
    assert warnings["隐患逾期未化解"] == ytd["risks_open_overdue"]
    assert warnings["积案逾期未化解"] == ytd["backlog_open_overdue"]


def test_a_unit_without_data_gets_words_not_figures(ctx: BulletinContext) -> None:
    page = view.build(replace(ctx, has_data=False))
    assert "overview" not in page and "core_rows" not in page and "trend_svg" not in page
    text = "".join(page["no_data"])
    assert "孟州市未报送2025年10月信访工作台账" in text
    assert not re.search(r"\d+(件|批|人|%)", text)


def test_missing_months_are_gaps_in_the_trend(
    ctx: BulletinContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = {}

    def fake_trend(*args: object) -> str:
        seen["args"] = args
        return ""

    monkeypatch.setattr(view.charts, "trend", fake_trend)
    trend = {p: w for p, w in ctx.trend.items() if p != "2025-03"}
    view.build(replace(ctx, trend=trend))
    periods, items, visits = seen["args"]
    assert periods[0] == "2024-11" and periods[-1] == "2025-10" and len(periods) == 12
    assert items[periods.index("2025-03")] is None and visits[periods.index("2025-03")] is None
    assert items[-1] == ctx.figures["windows"]["month"]["items_total"]
    assert items[0] == ctx.trend["2024-11"]["items_total"]


def test_trend_chart_leaves_months_without_data_blank() -> None:
    periods = [f"2025-{m:02d}" for m in range(1, 13)]
    uri = charts.trend(periods, [None, *range(40, 51)], [None, *range(10, 21)])
    svg = base64.b64decode(uri.removeprefix("data:image/svg+xml;base64,")).decode()
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "nan" not in svg.lower()
    assert "50" in labels and "40" in labels  # every month with data has its value on its bar
    assert "12月" in labels and any("信访事项" in label for label in labels)  # text, not paths


def test_a_change_missing_from_the_file_follows_its_formula(ctx: BulletinContext) -> None:
    figures = copy.deepcopy(dict(ctx.figures))
    figures["windows"]["ytd"]["items_total"] = 1325
    figures["windows"]["ytd_ly"]["items_total"] = 1249
    del figures["changes"]["ytd_yoy_pct"]["items_total"]
    writer = Writer(replace(ctx, figures=figures))
    assert writer.yoy("items_total") == "同比上升6.08%"  # 100 × 76 / 1249 = 6.0849 → 6.08
