"""Reference data shipped as dbt seeds: county-level units, content classes, sensitive periods.

The seeds under ``dbt_project/seeds/`` are the single source; Python reads the same files.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache

from xinfang.config import PROJECT_ROOT

SEEDS = PROJECT_ROOT / "dbt_project" / "seeds"


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    prefecture_code: str
    prefecture_name: str
    province_code: str
    province_name: str


@dataclass(frozen=True)
class SensitivePeriod:
    name: str
    starts_on: date
    ends_on: date
    kind: str


def _rows(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def units() -> dict[str, Unit]:
    """Every county-level unit by its GB/T 2260 code."""
    return {
        r["unit_code"]: Unit(
            r["unit_code"],
            r["unit_name"],
            r["prefecture_code"],
            r["prefecture_name"],
            r["province_code"],
            r["province_name"],
        )
        for r in _rows("ref_units.csv")
    }


def units_of_prefecture(prefecture_code: str) -> list[Unit]:
    return [u for u in units().values() if u.prefecture_code == prefecture_code]


@cache
def sensitive_periods() -> list[SensitivePeriod]:
    return [
        SensitivePeriod(
            r["period_name"],
            date.fromisoformat(r["starts_on"]),
            date.fromisoformat(r["ends_on"]),
            r["kind"],
        )
        for r in _rows("ref_sensitive_periods.csv")
    ]
