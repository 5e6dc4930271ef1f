"""Which month a bulletin run is for (cron trigger schedules have no data interval)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from xinfang.pipeline import batches, parse_month, previous_month, reporting_month


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("run_at_utc", "month"),
    [
        (utc(2026, 11, 5, 0, 0), "2026-10"),  # the scheduled run: 5 Nov 08:00 in Shanghai
        (utc(2026, 1, 5, 0, 0), "2025-12"),  # across the year
        (utc(2026, 2, 28, 16, 30), "2026-02"),  # 1 Mar 00:30 in Shanghai, still 28 Feb in UTC
        (utc(2026, 3, 31, 15, 59), "2026-02"),  # 31 Mar 23:59 in Shanghai
    ],
)
def test_month_before_the_run_date_on_the_shanghai_calendar(run_at_utc, month):
    assert reporting_month(None, None, run_at_utc) == month


def test_logical_date_wins_over_run_after_for_backfills():
    assert reporting_month(None, utc(2026, 4, 5, 0, 0), utc(2026, 11, 22, 3, 0)) == "2026-03"


def test_month_param_wins_and_is_checked():
    assert reporting_month("2025-07", utc(2026, 4, 5), utc(2026, 4, 5)) == "2025-07"
    with pytest.raises(ValueError):
        reporting_month("2025-7", None, utc(2026, 4, 5))
    with pytest.raises(ValueError):
        parse_month("2025-00")


def test_previous_month_of_a_first_day():
    assert previous_month(datetime(2024, 3, 1).date()) == "2024-02"


def test_batches_cover_every_unit_once_in_at_most_count_batches():
    units = [f"4108{i:02d}" for i in range(11)]
    split = batches(units, count=4)
    assert len(split) == 4
    assert sorted(u for b in split for u in b) == units
    assert max(map(len, split)) - min(map(len, split)) <= 1
    assert batches(units[:1], count=4) == [units[:1]]
