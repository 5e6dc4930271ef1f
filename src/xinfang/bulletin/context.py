"""Everything one bulletin is made of: the renderer reads nothing else (but reference data)."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")  # the calendar of every date a bulletin prints

Figures = Mapping[str, Any]  # a figures file, as indicators.md "The figures file"
Window = Mapping[str, Any]  # one window of it: {id: int | float | {"num", "den", "pct"}}

LEDGER_NAMES: dict[str, str] = {
    "petitions": "信访事项登记台账",
    "risks": "矛盾纠纷排查台账",
    "backlog": "信访积案台账",
    "unknown": "未识别台账",
}
OUTCOME_NAMES: dict[str, str] = {"accepted": "通过", "held": "暂缓采用", "rejected": "未通过"}


def shift(period: str, months: int) -> str:
    """``YYYY-MM`` moved by ``months`` (negative: earlier)."""
    index = int(period[:4]) * 12 + int(period[5:7]) - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass(frozen=True)
class SubmissionUsed:
    """One submitted ledger file behind the bulletin, for the data-quality annex."""

    ledger: str  # petitions | risks | backlog
    file_name: str
    received_at: datetime  # aware, as registered at ingestion
    age_days: int  # days from receipt to the month's last day
    outcome: str  # accepted | held (awaiting an operator's acceptance) | rejected
    warnings: tuple[str, ...] = ()  # every clerk message, in Chinese, as written at ingestion
    unit: str = ""  # the county's name, in a roll-up's annex

    def as_json(self) -> dict[str, Any]:
        return {
            "ledger": self.ledger,
            "file_name": self.file_name,
            "received_at": self.received_at.isoformat(),
            "age_days": self.age_days,
            "outcome": self.outcome,
            "warnings": list(self.warnings),
            "unit": self.unit,
        }


@dataclass(frozen=True)
class BulletinContext:
    """The input of one bulletin.

    ``figures`` is the unit's figures file for the month; ``trend`` maps each of the previous
    11 months (``YYYY-MM``) to that month's ``month`` window (a month without accepted data may
    be missing); ``counties`` holds a prefecture's county figures files (empty for a county).
    ``issue_number`` defaults to the month's index within the year (第 N 期).
    """

    figures: Figures
    bureau: str  # issuing bureau, e.g. 焦作市信访局
    issue_date: date
    trend: Mapping[str, Window] = field(default_factory=dict)
    counties: tuple[Figures, ...] = ()
    quality: tuple[SubmissionUsed, ...] = ()
    issue_number: int | None = None
    has_data: bool = True
    is_sample: bool = False

    @property
    def unit_code(self) -> str:
        return str(self.figures["unit"]["code"])

    @property
    def unit_name(self) -> str:
        return str(self.figures["unit"]["name"])

    @property
    def period(self) -> str:
        return str(self.figures["period"])

    @property
    def year(self) -> int:
        return int(self.period[:4])

    @property
    def month(self) -> int:
        return int(self.period[5:7])

    @property
    def month_end(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def number(self) -> int:
        return self.month if self.issue_number is None else self.issue_number

    @property
    def windows(self) -> Mapping[str, Window]:
        return self.figures["windows"]

    @property
    def changes(self) -> Mapping[str, Mapping[str, float | None]]:
        return self.figures["changes"]

    def quality_json(self) -> dict[str, Any]:
        """The annex as embedded in the PDF."""
        return {
            "unit": dict(self.figures["unit"]),
            "period": self.period,
            "has_data": self.has_data,
            "is_sample": self.is_sample,
            "submissions": [s.as_json() for s in self.quality],
        }
