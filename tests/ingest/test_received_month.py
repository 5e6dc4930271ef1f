"""A file received at the last second of a month (Asia/Shanghai) counts for that month, one
received a second later for the next -- on a machine whose clock runs on UTC, where the first
is 15:59:59 and the second 16:00:00 on the same UTC day.

The month a submission counts for is the Shanghai date of its received time: the submission
date its ledger's dates are checked against, the month of the registry's ``received_on`` (dbt),
the coverage of a month (a ledger received on or after the month's last day covers it, one
received on the 1st is the ledger as known the night before), and the bulletin's annex.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta

import duckdb
import pytest

from xinfang import pipeline
from xinfang.build import run_dbt
from xinfang.bulletin.sources import quality
from xinfang.config import Settings
from xinfang.ingest import Candidate, discover, parse
from xinfang.warehouse import connect

from .builders import (
    MENGZHOU,
    PETITION_HEADER,
    SHANGHAI,
    XIANGYUAN,
    drop,
    ingest,
    petition,
    query,
    settings_at,
    xlsx_bytes,
)

OCTOBER_LAST = datetime(2026, 10, 31, 23, 59, 59, tzinfo=SHANGHAI)  # 15:59:59 UTC
NOVEMBER_FIRST = OCTOBER_LAST + timedelta(seconds=1)  # 16:00:00 UTC, 31 October still
OCTOBER = ["2026-10-02", "2026-10-31"]
# (unit, file, received, its items' registration dates) in arrival order; the last item of each
# 补报 (a resubmission) is registered after the file's submission date
FILES = [
    (MENGZHOU, "十月.xlsx", OCTOBER_LAST, OCTOBER),
    (MENGZHOU, "十月补报.xlsx", OCTOBER_LAST, [*OCTOBER, "2026-11-01"]),
    (XIANGYUAN, "十一月.xlsx", NOVEMBER_FIRST, ["2026-11-01"]),
    (MENGZHOU, "十一月补报.xlsx", NOVEMBER_FIRST, [*OCTOBER, "2026-11-02"]),
]


@pytest.fixture(scope="module")
def utc_machine() -> Iterator[None]:
    """The process's local time is UTC (as on most servers), whatever this machine's is."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TZ", "UTC")
        time.tzset()
        yield
    time.tzset()


@pytest.fixture(scope="module")
def settings(tmp_path_factory, utc_machine) -> Settings:
    settings = settings_at(tmp_path_factory.mktemp("month-edge"))
    for unit, name, received, days in FILES:
        rows = [petition(f"XF-{i}", registered_on=day) for i, day in enumerate(days)]
        drop(settings, unit, name, xlsx_bytes([PETITION_HEADER, *rows]), received)
    ingest(settings)
    return settings


def test_the_registry_keeps_the_instant_and_its_shanghai_date(settings):
    rows = query(
        settings,
        """
        SELECT s.unit_code, s.file_name, s.received_at, typeof(s.received_at),
               CAST(timezone('Asia/Shanghai', s.received_at) AS DATE), s.outcome,
               list(m.message ORDER BY m.seq)
        FROM raw.submissions AS s LEFT JOIN raw.submission_messages AS m USING (submission_id)
        GROUP BY ALL ORDER BY s.received_at, s.file_name
        """,
    )
    tz = "TIMESTAMP WITH TIME ZONE"
    assert rows == [
        (MENGZHOU, "十月.xlsx", OCTOBER_LAST, tz, date(2026, 10, 31), "accepted", [None]),
        (MENGZHOU, "十月补报.xlsx", OCTOBER_LAST, tz, date(2026, 10, 31), "rejected",
         ["孟州市 十月补报.xlsx 第 4 行「登记日期」2026-11-01 晚于报送日期 2026-10-31"]),
        (XIANGYUAN, "十一月.xlsx", NOVEMBER_FIRST, tz, date(2026, 11, 1), "accepted", [None]),
        (MENGZHOU, "十一月补报.xlsx", NOVEMBER_FIRST, tz, date(2026, 11, 1), "rejected",
         ["孟州市 十一月补报.xlsx 第 4 行「登记日期」2026-11-02 晚于报送日期 2026-11-01"]),
    ]  # fmt: skip
    lineage = "SELECT DISTINCT unit_code, received_at FROM raw.petitions ORDER BY received_at"
    assert query(settings, lineage) == [(MENGZHOU, OCTOBER_LAST), (XIANGYUAN, NOVEMBER_FIRST)]


def test_a_received_time_given_in_another_zone_keeps_its_shanghai_date(settings, tmp_path):
    """A candidate travelling as JSON with a UTC time (say, from another worker) is parsed
    against the Shanghai date; a time without a zone is refused."""
    scratch = replace(settings, archive=tmp_path / "archive")
    (found,) = [c for c in discover(scratch, known=(set(), set())) if c.unit_code == XIANGYUAN]
    in_utc = found.to_dict() | {"received_at": "2026-10-31T16:00:00+00:00"}
    candidate = Candidate.from_dict(in_utc)
    assert candidate.received_at == NOVEMBER_FIRST
    assert (candidate.received_at.date(), candidate.received_at.tzinfo) == (
        date(2026, 11, 1),
        SHANGHAI,
    )
    parsed = parse(candidate, scratch)
    assert (parsed.outcome, parsed.messages) == ("accepted", ())
    with pytest.raises(ValueError, match="without a time zone"):
        replace(found, received_at=datetime(2026, 11, 1))


def test_coverage_of_a_month_and_freshness_on_the_shanghai_calendar(settings, monkeypatch):
    monkeypatch.delenv("XINFANG_LATE_AFTER_DAYS", raising=False)
    october = pipeline.completeness("2026-10", settings)
    # both petitions ledgers cover October: one received on its last day, one the night after
    assert [(u["unit_code"], u["ledgers"]) for u in october["incomplete"]] == [
        (XIANGYUAN, ["risks", "backlog"]),
        (MENGZHOU, ["risks", "backlog"]),
    ]
    november = pipeline.completeness("2026-11", settings)
    assert [u["ledgers"] for u in november["incomplete"]] == [["petitions", "risks", "backlog"]] * 2

    deadline = OCTOBER_LAST + timedelta(days=35)
    assert pipeline.freshness(deadline, settings)["late"] == []
    late = pipeline.freshness(deadline + timedelta(seconds=1), settings)["late"]
    assert late == [
        {"unit_code": MENGZHOU, "unit_name": "孟州市",
         "last_accepted_at": "2026-10-31T23:59:59+08:00"},
    ]  # fmt: skip


def annex(settings: Settings, month_end: date) -> list[tuple[str, str, int]]:
    """The data-quality annex of 孟州市's bulletin for the month ending ``month_end``: the
    submission in force (十月.xlsx), and the month's rejected ones."""
    ((sid, received),) = query(
        settings,
        "SELECT submission_id, received_at FROM raw.submissions "
        "WHERE unit_code = ? AND outcome = 'accepted'",
        [MENGZHOU],
    )
    in_force = {"submission_id": sid, "received_at": received.isoformat()}
    figures = {
        "unit": {"code": MENGZHOU, "level": "county"},
        "submissions": {"petitions": in_force, "risks": {}, "backlog": {}},
    }
    con = connect(settings.warehouse, read_only=True)
    try:
        used = quality(con, figures, month_end)
    finally:
        con.close()
    return [(u.file_name, u.outcome, u.age_days) for u in used]


def test_the_bulletin_annex_of_october(settings):
    assert annex(settings, date(2026, 10, 31)) == [
        ("十月.xlsx", "accepted", 0),
        ("十月补报.xlsx", "rejected", 0),
    ]


def test_the_bulletin_annex_of_november(settings):
    assert annex(settings, date(2026, 11, 30)) == [
        ("十月.xlsx", "accepted", 30),
        ("十一月补报.xlsx", "rejected", 29),
    ]


def test_the_warehouse_months_of_a_submission(settings, tmp_path):
    """dbt's received_on is the Shanghai date: the newest submission (the night of 31 October to
    1 November) makes November the latest month, and covers October, not November."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(settings.warehouse, warehouse)
    result = run_dbt(
        ["build", "--select", "+int_bulletin__county_periods", "--exclude", "resource_type:test",
         "resource_type:unit_test"],
        warehouse=warehouse, target_path=tmp_path / "target",
    )  # fmt: skip
    assert result.success, result.summary()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        received = con.execute(
            "SELECT file_name, received_on FROM staging.stg_ledgers__submissions ORDER BY ALL"
        ).fetchall()
        (last_month,) = con.execute(
            "SELECT max(report_month) FROM intermediate.int_bulletin__periods"
        ).fetchone()
        coverage = con.execute(
            """
            SELECT unit_code, strftime(report_month, '%Y-%m'), petitions_has_data
            FROM intermediate.int_bulletin__county_periods
            WHERE period_kind = 'month' AND report_month >= DATE '2026-10-01' ORDER BY ALL
            """
        ).fetchall()
    finally:
        con.close()
    assert received == [
        ("十一月.xlsx", date(2026, 11, 1)),
        ("十一月补报.xlsx", date(2026, 11, 1)),
        ("十月.xlsx", date(2026, 10, 31)),
        ("十月补报.xlsx", date(2026, 10, 31)),
    ]
    assert last_month == date(2026, 11, 1)
    assert coverage == [
        (XIANGYUAN, "2026-10", True), (XIANGYUAN, "2026-11", False),
        (MENGZHOU, "2026-10", True), (MENGZHOU, "2026-11", False),
    ]  # fmt: skip
