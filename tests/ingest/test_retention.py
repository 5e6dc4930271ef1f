"""The archive holds the counties' files (personal data): private, and kept only so long."""

from __future__ import annotations

import logging
import stat
from datetime import datetime, timedelta

import pytest

from xinfang import pipeline
from xinfang.ingest.retention import DEFAULT_RETENTION_DAYS, prune_archive, retention_days
from xinfang.warehouse import connect

from .builders import (
    MENGZHOU,
    PETITION_HEADER,
    RECEIVED,
    XIANGYUAN,
    drop,
    ingest,
    petition,
    query,
    settings_at,
    xlsx_bytes,
)

RISK_HEADER = ["隐患编号", "排查日期", "涉及领域", "风险等级", "化解状态"]


def petitions(note: str, registered_on: str = "2018-01-03") -> bytes:
    """The same two petitions; ``note`` makes the bytes differ."""
    rows = [petition(f"XF-{i}", registered_on=registered_on, name="欧阳明远") for i in (1, 2)]
    return xlsx_bytes([[note], PETITION_HEADER, *rows])


def at(year: int, month: int, day: int) -> datetime:
    return RECEIVED.replace(year=year, month=month, day=day)


@pytest.fixture(scope="module")
def archived(tmp_path_factory):
    """Files of two units received over seven years, ingested (and all kept meanwhile)."""
    s = settings_at(tmp_path_factory.mktemp("retention"))
    drop(s, MENGZHOU, "2018-06.xlsx", petitions("六月"), at(2018, 6, 1))  # superseded
    drop(s, MENGZHOU, "2018-07.xlsx", petitions("七月", "2099-01-03"), at(2018, 7, 1))  # rejected
    drop(s, MENGZHOU, "2019-01.xlsx", petitions("一月"), at(2019, 1, 1))  # in force, old
    risks = xlsx_bytes([RISK_HEADER, ["FX-1", "2017-05-01", "房地产", "高", "化解中"]])
    drop(s, MENGZHOU, "排查.xlsx", risks, at(2017, 5, 2))  # in force (risks), old
    drop(s, XIANGYUAN, "台账.xlsx", petitions("襄垣"), at(2024, 12, 1))  # recent
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XINFANG_ARCHIVE_RETENTION_DAYS", str(100 * 365))
        results = ingest(s)
    assert [r.parsed.outcome for r in results] == [
        "accepted", "accepted", "rejected", "accepted", "accepted",
    ]  # fmt: skip
    return s


def archive_files(s) -> set[str]:
    return {str(p.relative_to(s.archive)) for p in s.archive.rglob("*") if p.is_file()}


def registered(s, name: str) -> tuple[str, str]:
    ((path, sha256),) = query(
        s, "SELECT archive_path, sha256 FROM raw.submissions WHERE file_name = ?", [name]
    )
    return path, sha256


def test_archived_files_are_private(archived):
    s = archived
    paths = [registered(s, name)[0] for name in ("2018-06.xlsx", "排查.xlsx", "台账.xlsx")]
    for relative in paths:
        path = s.archive / relative
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, relative
        for folder in (path.parent, path.parent.parent):  # <unit>/<sha256[:2]>/
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_prune_keeps_what_is_in_force_and_what_is_recent(archived, caplog):
    """(Runs after the test above: it deletes files.)"""
    s = archived
    superseded, sha_superseded = registered(s, "2018-06.xlsx")
    rejected, sha_rejected = registered(s, "2018-07.xlsx")
    reports = {p for p in archive_files(s) if sha_rejected in p and ".rejection." in p}
    assert len(reports) == 2  # the clerk's .xlsx and .html, beside the file
    before = archive_files(s)
    registry = query(s, "SELECT * FROM raw.submissions ORDER BY submission_id")
    con = connect(s.warehouse)
    assert prune_archive(con, s.archive, days=10 * 365, now=at(2025, 3, 1)) == []
    with caplog.at_level(logging.INFO, logger="xinfang.ingest.retention"):
        pruned = prune_archive(con, s.archive, days=5 * 365, now=at(2025, 3, 1))
        again = prune_archive(con, s.archive, days=5 * 365, now=at(2025, 3, 1))
    con.close()
    expected = {superseded, rejected, *reports}
    assert {str(p) for p in pruned} == expected
    assert again == []
    assert archive_files(s) == before - expected
    assert query(s, "SELECT * FROM raw.submissions ORDER BY submission_id") == registry
    (record,) = caplog.records
    assert record.getMessage().startswith(
        "archive: deleted 4 files received before 2020-03-02 (retention 1825 days): "
    )
    assert sha_superseded in record.getMessage()


def nightly_dag(s) -> None:
    """The nightly DAG's tasks, as Airflow calls them."""
    pipeline.promote([pipeline.parse(c, s) for c in pipeline.discover(s)], s)


@pytest.mark.parametrize("run", [ingest, nightly_dag], ids=["xinfang ingest", "nightly DAG"])
def test_ingestion_prunes_as_it_runs(tmp_path, monkeypatch, run):
    """Both ways of ingesting apply the retention once they have registered the night's files."""
    monkeypatch.setenv("XINFANG_ARCHIVE_RETENTION_DAYS", "30")
    s = settings_at(tmp_path)
    long_ago = datetime.now(RECEIVED.tzinfo) - timedelta(days=60)
    drop(s, MENGZHOU, "旧.xlsx", petitions("旧"), long_ago)
    drop(s, MENGZHOU, "新.xlsx", petitions("新"), long_ago + timedelta(days=1))
    run(s)
    assert query(s, "SELECT file_name, outcome FROM raw.submissions ORDER BY received_at") == [
        ("旧.xlsx", "accepted"), ("新.xlsx", "accepted"),
    ]  # fmt: skip
    old, _ = registered(s, "旧.xlsx")
    new, _ = registered(s, "新.xlsx")
    assert not (s.archive / old).exists()
    assert (s.archive / new).exists()  # in force, however old


@pytest.mark.parametrize(
    ("value", "days"), [(None, DEFAULT_RETENTION_DAYS), ("", 1825), (" 30 ", 30), ("3650", 3650)]
)
def test_retention_setting(monkeypatch, value, days):
    if value is None:
        monkeypatch.delenv("XINFANG_ARCHIVE_RETENTION_DAYS", raising=False)
    else:
        monkeypatch.setenv("XINFANG_ARCHIVE_RETENTION_DAYS", value)
    assert retention_days() == days


@pytest.mark.parametrize("value", ["0", "-5", "一年", "1.5"])
def test_a_retention_that_is_not_a_number_of_days_is_refused(monkeypatch, value):
    monkeypatch.setenv("XINFANG_ARCHIVE_RETENTION_DAYS", value)
    with pytest.raises(ValueError, match="XINFANG_ARCHIVE_RETENTION_DAYS"):
        retention_days()
