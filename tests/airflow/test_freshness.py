"""Late counties (freshness) and months not covered (completeness), from the registry."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from xinfang import pipeline
from xinfang.config import Settings
from xinfang.warehouse import connect

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


# (unit, ledger kind, received, outcome)
REGISTRY = [
    ("410882", "petitions", "2026-10-31 20:00", "accepted"),  # covers October: sent on its last day
    ("410882", "risks", "2026-11-01 00:40", "accepted"),
    ("410882", "backlog", "2026-11-01 00:50", "accepted"),
    ("410883", "petitions", "2026-10-30 23:00", "accepted"),  # a day short of October's end
    ("410883", "risks", "2026-11-01 01:00", "rejected"),  # rejected: does not count
    ("410883", "backlog", "2026-09-01 01:00", "accepted"),
    ("410899", "petitions", "2026-11-01 01:00", "rejected"),  # no such unit: ingestion's matter
]


@pytest.fixture
def settings(tmp_path, monkeypatch) -> Settings:
    monkeypatch.setenv("XINFANG_HOME", str(tmp_path))
    monkeypatch.delenv("XINFANG_LATE_AFTER_DAYS", raising=False)
    settings = Settings.from_env()
    for unit in ("410811", "410882", "410883", "410899", "999999"):
        (settings.inbox / unit).mkdir(parents=True)  # 410811: a folder, never a file
    con = connect(settings.warehouse)
    for n, (unit, kind, received, outcome) in enumerate(REGISTRY):
        con.execute(
            "INSERT INTO raw.submissions VALUES (?, ?, ?, ?, 1, ?, now(), '', ?, 'csv', "
            "'utf-8', ?, 1, 0, 0, false)",
            [f"{unit}-{n}", unit, f"{kind}.csv", f"{n:064x}", at(received), kind, outcome],
        )
    con.close()
    return settings


def test_freshness_names_the_counties_silent_beyond_the_deadline(settings):
    report = pipeline.freshness(at("2026-12-05 09:00"), settings)
    assert report["late_after_days"] == 35
    assert report["late"] == [
        {"unit_code": "410811", "unit_name": "山阳区", "last_accepted_at": None},
        {
            "unit_code": "410883",
            "unit_name": "孟州市",
            "last_accepted_at": at("2026-10-30 23:00").isoformat(),
        },
    ]


def test_the_deadline_is_configurable(settings, monkeypatch):
    monkeypatch.setenv("XINFANG_LATE_AFTER_DAYS", "40")
    late = pipeline.freshness(at("2026-12-05 09:00"), settings)["late"]
    assert [u["unit_code"] for u in late] == ["410811"]
    monkeypatch.setenv("XINFANG_LATE_AFTER_DAYS", "30")
    late = pipeline.freshness(at("2026-12-05 09:00"), settings)["late"]
    assert [u["unit_code"] for u in late] == ["410811", "410882", "410883"]


def test_completeness_names_each_county_and_the_ledgers_it_lacks(settings, caplog):
    report = pipeline.completeness("2026-10", settings)
    assert report["incomplete"] == [
        {"unit_code": "410811", "unit_name": "山阳区",
         "ledgers": ["petitions", "risks", "backlog"]},
        {"unit_code": "410883", "unit_name": "孟州市",
         "ledgers": ["petitions", "risks", "backlog"]},
    ]  # fmt: skip
    # the bulletins: every county that submitted, and its prefecture
    assert report["units"] == ["410882", "410883", "410800"]
    assert "2026-10 报送不全 410883 孟州市" in caplog.text
    assert "信访事项登记台账、矛盾纠纷排查台账、信访积案台账" in caplog.text


def test_an_earlier_month_is_covered_by_earlier_files(settings):
    report = pipeline.completeness("2026-08", settings)
    assert [u["unit_code"] for u in report["incomplete"]] == ["410811", "410883"]
    assert report["incomplete"][1]["ledgers"] == ["risks"]
