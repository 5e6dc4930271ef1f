"""Loading: one transaction per file, nothing lost, nothing twice, no personal data stored."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import stat
from datetime import date, timedelta

import duckdb
import pytest

from xinfang.cli import main
from xinfang.ingest import (
    Candidate,
    ChangedFileError,
    ParsedSubmission,
    discover,
    parse,
    promote,
    run,
)
from xinfang.ingest.identity import Pseudonymiser
from xinfang.warehouse import connect

from .builders import (
    MENGZHOU,
    PETITION_HEADER,
    RECEIVED,
    XIANGYUAN,
    csv_bytes,
    drop,
    id_number,
    ingest,
    petition,
    query,
    settings_at,
    xlsx_bytes,
)

RAW_TABLES = ("submissions", "submission_messages", "petitions", "risks", "backlog")


def ledger(*rows: list[object]) -> bytes:
    return xlsx_bytes([["台账"], PETITION_HEADER, *rows])


def fingerprint(settings) -> dict[str, tuple[int, str]]:
    """Row count and a hash of the ordered content of every raw table."""
    out = {}
    for table in RAW_TABLES:
        exclude = " EXCLUDE (ingested_at)" if table == "submissions" else ""
        rows = query(settings, f"SELECT *{exclude} FROM raw.{table} ORDER BY ALL")
        out[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return out


def current(settings) -> list[tuple]:
    return query(
        settings,
        "SELECT unit_code, item_id, acceptance, submission_id, absent_from_latest "
        "FROM raw.petitions_current ORDER BY unit_code, item_id",
    )


def sid(unit: str, content: bytes) -> str:
    return f"{unit}-{hashlib.sha256(content).hexdigest()[:16]}"


ACCEPTANCE_HEADER = [*PETITION_HEADER, "受理情况"]


def versioned(*rows: tuple[str, str]) -> bytes:
    """A petitions ledger of (item, acceptance) rows."""
    return xlsx_bytes(
        [ACCEPTANCE_HEADER, *([*petition(item), acceptance] for item, acceptance in rows)]
    )


def test_later_submission_supersedes_and_absent_keys_are_kept(tmp_path):
    s = settings_at(tmp_path)
    first = versioned(("XF-1", "待受理"), ("XF-2", "受理"))
    second = versioned(("XF-1", "受理"), ("XF-3", "待受理"))
    # Same arrival time: the file name breaks the tie (台账2 after 台账1).
    drop(s, MENGZHOU, "台账2.xlsx", second)
    drop(s, MENGZHOU, "台账1.xlsx", first)
    results = ingest(s)
    assert [r.parsed.file_name for r in results] == ["台账1.xlsx", "台账2.xlsx"]
    assert current(s) == [
        (MENGZHOU, "XF-1", "受理", sid(MENGZHOU, second), False),
        (MENGZHOU, "XF-2", "受理", sid(MENGZHOU, first), True),
        (MENGZHOU, "XF-3", "待受理", sid(MENGZHOU, second), False),
    ]


def test_rejected_file_changes_nothing_while_other_units_load(tmp_path):
    s = settings_at(tmp_path)
    good = versioned(("XF-1", "受理"), ("XF-2", "受理"))
    drop(s, MENGZHOU, "台账.xlsx", good)
    ingest(s)
    before = current(s)
    bad = versioned(("XF-1", "不予受理"), ("XF-1", "受理"))  # a duplicate key
    later = RECEIVED + timedelta(days=1)
    drop(s, MENGZHOU, "台账（更新）.xlsx", bad, when=later)
    drop(s, XIANGYUAN, "襄垣.xlsx", versioned(("XY-1", "受理")), when=later)
    outcomes = {r.parsed.file_name: r.parsed.outcome for r in ingest(s)}
    assert outcomes == {"台账（更新）.xlsx": "rejected", "襄垣.xlsx": "accepted"}
    assert [r for r in current(s) if r[0] == MENGZHOU] == before
    assert [r[:3] for r in current(s) if r[0] == XIANGYUAN] == [(XIANGYUAN, "XY-1", "受理")]
    assert query(s, "SELECT count(*) FROM raw.petitions WHERE unit_code = ?", [MENGZHOU]) == [(2,)]


def test_ingesting_twice_changes_nothing(tmp_path):
    s = settings_at(tmp_path)
    drop(s, MENGZHOU, "a.xlsx", ledger(petition("XF-1"), petition("XF-2")))
    drop(s, MENGZHOU, "b.csv", csv_bytes([PETITION_HEADER, petition("XF-3")], "gb18030"))
    drop(s, MENGZHOU, "坏.xlsx", b"broken")
    drop(s, XIANGYUAN, "a.xlsx", ledger(petition("XY-1")))
    assert len(ingest(s)) == 4
    once = fingerprint(s)
    assert ingest(s) == []
    # The same bytes again under another name are the same submission.
    drop(s, MENGZHOU, "a（副本）.xlsx", (s.inbox / MENGZHOU / "a.xlsx").read_bytes())
    assert ingest(s) == []
    assert fingerprint(s) == once
    assert once["submissions"][0] == 4 and once["petitions"][0] == 4


def test_archive_is_content_addressed_and_private(tmp_path):
    s = settings_at(tmp_path)
    content = ledger(petition("XF-1"))
    digest = hashlib.sha256(content).hexdigest()
    drop(s, MENGZHOU, "台账.xlsx", content)
    drop(s, XIANGYUAN, "台账.xlsx", content)
    ingest(s)
    expected = [f"{unit}/{digest[:2]}/{digest}.xlsx" for unit in (XIANGYUAN, MENGZHOU)]
    assert query(s, "SELECT archive_path FROM raw.submissions ORDER BY unit_code") == [
        (p,) for p in expected
    ]
    for relative in expected:
        path = s.archive / relative
        assert path.read_bytes() == content
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in s.archive.rglob("*") if p.is_file()) == [f"{digest}.xlsx"] * 2
    assert not any((s.archive / "_staging").iterdir())


def test_registry_row(tmp_path):
    s = settings_at(tmp_path)
    content = ledger(petition("XF-1"), petition("XF-2"))
    drop(s, MENGZHOU, "台账.xlsx", content)
    ingest(s)
    (row,) = query(
        s,
        "SELECT submission_id, unit_code, file_name, sha256, size_bytes, received_at, "
        "ledger_kind, file_format, encoding, outcome, row_count, error_count, warning_count, "
        "is_sample FROM raw.submissions",
    )
    assert row == (
        sid(MENGZHOU, content), MENGZHOU, "台账.xlsx", hashlib.sha256(content).hexdigest(),
        len(content), RECEIVED, "petitions", "xlsx", None, "accepted", 2, 0, 0, False,
    )  # fmt: skip
    lineage = query(
        s, "SELECT DISTINCT submission_id, unit_code, sha256, received_at FROM raw.petitions"
    )
    assert lineage == [(*row[:2], row[3], RECEIVED)]


def test_no_personal_data_reaches_the_warehouse(tmp_path):
    s = settings_at(tmp_path)
    names = ["欧阳明远", "司马静怡", "诸葛文博"]
    phones = ["13912345678", "15887654321", "18600001111"]
    ids = [id_number("410883", "19650704", "321"), id_number("140423", "19881212", "046")]
    invalid_id = ids[0][:10] + "1399" + ids[0][14:]  # a birth month 13: kept out too
    header = [*PETITION_HEADER, "备注"]
    rows = [
        [*petition("XF-1", name=names[0], phone=phones[0], id_number=ids[0]), "已电话回访"],
        [*petition("XF-2", name=names[1], phone=phones[1], id_number=invalid_id), None],
        [*petition("XF-3", name=names[2], phone=phones[2], id_number=ids[1].lower()), None],
    ]
    drop(s, MENGZHOU, "台账.xlsx", xlsx_bytes([header, *rows]))
    drop(s, XIANGYUAN, "台账.csv", csv_bytes([header, *rows], "gb18030"))
    # A rejected file quoting what it can: a phone number typed as a key, twice.
    drop(s, MENGZHOU, "错.xlsx", ledger(petition(phones[2], id_number=ids[1]),
                                       petition(phones[2], name=names[0])))  # fmt: skip
    results = ingest(s)
    assert sorted(r.parsed.outcome for r in results) == ["accepted", "accepted", "rejected"]
    con = duckdb.connect(str(s.warehouse))
    con.execute("CHECKPOINT")
    con.close()
    stored = b"".join(p.read_bytes() for p in s.warehouse.parent.glob("warehouse.duckdb*"))
    for secret in [*names, *phones, *ids, ids[1].lower(), invalid_id]:
        assert secret.encode("utf-8") not in stored, secret
    keys = {k for (k,) in query(s, "SELECT DISTINCT person_key FROM raw.petitions")}
    key = b"test-only-pseudonymisation-key"
    expected = {hmac.new(key, i.encode(), hashlib.sha256).hexdigest() for i in ids}
    assert keys == {None} | expected
    assert all(k.encode() in stored for k in expected)  # the scan does see stored text


@pytest.mark.parametrize("key", [b"short", b"k" * 200])
def test_pseudonymiser_is_hmac_sha256(key):
    pseudonymise = Pseudonymiser(key)
    for text in ["41088319650704321X", "140423198812120468", "中文"]:
        assert pseudonymise(text) == hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def test_parse_is_pure_and_its_result_travels(tmp_path):
    s = settings_at(tmp_path)
    s.warehouse.parent.mkdir(parents=True, exist_ok=True)
    s.warehouse.write_bytes(b"not a database: parse must not open it")
    drop(s, MENGZHOU, "台账.xlsx", ledger(petition("XF-1", registered_on="2025-02-30")))
    (candidate,) = discover(s, known=(set(), set()))
    assert Candidate.from_dict(json.loads(json.dumps(candidate.to_dict()))) == candidate
    parsed = parse(candidate, s)
    assert parsed.outcome == "rejected" and parsed.rows_path is None
    assert ParsedSubmission.load(parsed.save(tmp_path / "p.json")) == parsed
    assert pickle.loads(pickle.dumps(parsed)) == parsed
    assert (
        parsed.messages[0].message == "孟州市 台账.xlsx 第 3 行「登记日期」2025-02-30 不是有效日期"
    )


def test_promote_is_one_transaction(tmp_path):
    s = settings_at(tmp_path)
    drop(s, MENGZHOU, "台账.xlsx", ledger(petition("XF-1")))
    (candidate,) = discover(s)
    parsed = parse(candidate, s)
    with open(parsed.rows_path, "wb") as fh:  # the staged rows are lost: promote must fail
        fh.write(b"garbage")
    con = connect(s.warehouse)
    with pytest.raises(duckdb.Error):
        promote(con, parsed)
    assert con.execute("SELECT count(*) FROM raw.submissions").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM raw.submission_messages").fetchone() == (0,)
    con.close()


def test_promote_twice_registers_once(tmp_path):
    s = settings_at(tmp_path)
    drop(s, MENGZHOU, "台账.xlsx", ledger(petition("XF-1")))
    (candidate,) = discover(s)
    con = connect(s.warehouse)
    assert promote(con, parse(candidate, s)) is True
    assert promote(con, parse(candidate, s)) is False
    assert con.execute("SELECT count(*) FROM raw.petitions").fetchone() == (1,)
    con.close()


def test_file_changed_after_discovery_is_left_for_next_time(tmp_path):
    s = settings_at(tmp_path)
    path = drop(s, MENGZHOU, "台账.xlsx", ledger(petition("XF-1")))
    (candidate,) = discover(s)
    path.write_bytes(ledger(petition("XF-1"), petition("XF-2")))
    with pytest.raises(ChangedFileError):
        parse(candidate, s)


def test_dates_are_checked_against_each_files_own_arrival(tmp_path):
    s = settings_at(tmp_path)
    day = date(2025, 3, 1)
    drop(s, MENGZHOU, "早.xlsx", ledger(petition("XF-1", registered_on=day.isoformat())),
         when=RECEIVED - timedelta(days=1))  # fmt: skip
    drop(s, XIANGYUAN, "晚.xlsx", ledger(petition("XY-1", registered_on=day.isoformat())))
    outcomes = {r.parsed.file_name: r.parsed.outcome for r in ingest(s)}
    assert outcomes == {"早.xlsx": "rejected", "晚.xlsx": "accepted"}


def test_command_line(tmp_path, capsys):
    s = settings_at(tmp_path)
    drop(s, MENGZHOU, "台账.xlsx", ledger(petition("XF-1"), petition("XF-2")))
    drop(s, XIANGYUAN, "台账.xlsx", ledger(petition("XY-1", registered_on="2025-02-30")))
    paths = ["--inbox", str(s.inbox), "--warehouse", str(s.warehouse), "--archive", str(s.archive)]
    assert main(["ingest", *paths]) == 0  # a rejection is not a failure
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].split() == (
        ["unit", "file", "ledger", "outcome", "rows", "errors", "warnings", "first", "message"]
    )
    assert lines[1].split() == [
        XIANGYUAN, "台账.xlsx", "petitions", "rejected", "1", "1", "0",
        "襄垣县", "台账.xlsx", "第", "3", "行「登记日期」2025-02-30", "不是有效日期",
    ]  # fmt: skip
    assert lines[2].split() == [MENGZHOU, "台账.xlsx", "petitions", "accepted", "2", "0", "0"]
    assert lines[3] == "2 files: 1 accepted, 1 rejected, 0 failed"
    assert "[2/2]" in err and "rows/s" in err
    assert main(["ingest", *paths]) == 0
    assert capsys.readouterr().out == "no new files\n"


def test_an_operational_failure_leaves_the_file_for_next_time(tmp_path, monkeypatch):
    s = settings_at(tmp_path)
    drop(s, MENGZHOU, "a.xlsx", ledger(petition("XF-1")))
    drop(s, XIANGYUAN, "b.xlsx", ledger(petition("XY-1")))

    def flaky(candidate, settings, limits):
        if candidate.unit_code == MENGZHOU:
            raise OSError("disk went away")
        return parse(candidate, settings, limits)

    monkeypatch.setattr(run, "parse", flaky)
    failed, loaded = ingest(s)
    assert (failed.failure, failed.parsed) == ("OSError: disk went away", None)
    assert loaded.parsed.outcome == "accepted" and loaded.loaded
    monkeypatch.undo()
    (retried,) = ingest(s)
    assert (retried.candidate.unit_code, retried.parsed.outcome) == (MENGZHOU, "accepted")


def test_only_unit_folder_files_are_candidates(tmp_path, caplog):
    s = settings_at(tmp_path)
    drop(s, MENGZHOU, "台账.xlsx", ledger(petition("XF-1")))
    (s.inbox / MENGZHOU / "旧").mkdir()
    (s.inbox / MENGZHOU / "旧" / "台账.xlsx").write_bytes(ledger(petition("XF-0")))
    (s.inbox / "散落.xlsx").write_bytes(ledger(petition("XF-9")))
    os.symlink(s.inbox / MENGZHOU, s.inbox / XIANGYUAN)
    assert [c.path for c in discover(s)] == [s.inbox / MENGZHOU / "台账.xlsx"]
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        f"skipped {s.inbox / XIANGYUAN}",  # a symlinked unit folder is not followed
        f"skipped folder {s.inbox / MENGZHOU / '旧'}",
        f"skipped {s.inbox / '散落.xlsx'}",
    ]
