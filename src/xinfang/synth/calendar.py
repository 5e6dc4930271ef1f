"""The reporting window and the rhythm of a petition year.

Daily intensity is a product of factors: weekdays above weekends, a deep dip over 春节 with a
slow week before and after (reference ``kind=holiday`` periods named 春节), a smaller dip over the
other holidays, and a rise from ten days before 全国两会 to its end (``kind=lianghui``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from xinfang.reference import SensitivePeriod, sensitive_periods

WEEKDAY_FACTOR = np.array([1.12, 1.12, 1.12, 1.12, 1.12, 0.62, 0.55])
SPRING_FESTIVAL_FACTOR = 0.3
SPRING_FESTIVAL_SHOULDER = ((7, 0.7), (7, 0.75))  # (days, factor) before and after
HOLIDAY_FACTOR = 0.5
LIANGHUI_LEAD_DAYS = 10
LIANGHUI_FACTOR = 1.35


@dataclass(frozen=True)
class Window:
    """The months a ledger covers and the nights its snapshots describe."""

    start: date  # first day of the first month
    end: date  # last day of the end month: the as-of date of the last snapshot
    snapshot_dates: tuple[date, ...]  # as-of dates, ascending, the last one == end

    @property
    def days(self) -> np.ndarray:
        return np.arange(np.datetime64(self.start), np.datetime64(self.end) + 1)

    @property
    def months_label(self) -> str:
        return f"{self.start.year}年{self.start.month}月—{self.end.year}年{self.end.month}月"


def window(end_month: str, months: int, snapshots: int, gap_days: int) -> Window:
    year, month = (int(x) for x in end_month.split("-"))
    first = np.datetime64(f"{year:04d}-{month:02d}", "M") - (months - 1)
    end = (np.datetime64(f"{year:04d}-{month:02d}", "M") + 1).astype("datetime64[D]") - 1
    dates = tuple((end - gap_days * (snapshots - 1 - i)).astype(date) for i in range(snapshots))
    return Window(first.astype("datetime64[D]").astype(date), end.astype(date), dates)


def _span(days: np.ndarray, start: date, end: date) -> np.ndarray:
    return (days >= np.datetime64(start)) & (days <= np.datetime64(end))


def is_spring_festival(p: SensitivePeriod) -> bool:
    return p.kind == "holiday" and "春节" in p.name


def intensity(days: np.ndarray) -> np.ndarray:
    """Relative petition activity per day (1.0 = an ordinary weekday-weighted day)."""
    f = WEEKDAY_FACTOR[(days.astype(np.int64) + 3) % 7].copy()
    one = np.timedelta64(1, "D")
    for p in sensitive_periods():
        start, end = np.datetime64(p.starts_on), np.datetime64(p.ends_on)
        if is_spring_festival(p):
            (before, f_before), (after, f_after) = SPRING_FESTIVAL_SHOULDER
            f[_span(days, p.starts_on, p.ends_on)] *= SPRING_FESTIVAL_FACTOR
            f[(days >= start - before * one) & (days < start)] *= f_before
            f[(days > end) & (days <= end + after * one)] *= f_after
        elif p.kind == "holiday":
            f[_span(days, p.starts_on, p.ends_on)] *= HOLIDAY_FACTOR
        elif p.kind == "lianghui":
            f[(days >= start - LIANGHUI_LEAD_DAYS * one) & (days <= end)] *= LIANGHUI_FACTOR
    return f


def lianghui_days(days: np.ndarray) -> np.ndarray:
    """Days from ten days before 两会 to its end: upward visits multiply then."""
    out = np.zeros(len(days), dtype=bool)
    one = np.timedelta64(1, "D")
    for p in sensitive_periods():
        if p.kind == "lianghui":
            start, end = np.datetime64(p.starts_on), np.datetime64(p.ends_on)
            out |= (days >= start - LIANGHUI_LEAD_DAYS * one) & (days <= end)
    return out


def draw_dates(
    rng: np.random.Generator, days: np.ndarray, per_month: float, trend_per_year: float = 0.0
) -> np.ndarray:
    """Sorted event dates: Poisson counts per day around ``per_month`` events a month."""
    years = (days - days[0]).astype(np.int64) / 365.25
    lam = per_month * 12 / 365.25 * intensity(days) * (1 + trend_per_year) ** years
    return np.repeat(days, rng.poisson(lam))
