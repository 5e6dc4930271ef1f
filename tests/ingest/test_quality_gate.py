"""The quality gate inside ingestion: its errors reject the whole file with the clerk's message,
a row-count drop holds it (rows loaded, not in force until accepted), every run is audited."""

from __future__ import annotations

from datetime import timedelta

import duckdb

from xinfang import quality
from xinfang.ingest.archive import archive_path

from .builders import (
    MENGZHOU,
    PETITION_HEADER,
    RECEIVED,
    drop,
    id_number,
    ingest,
    petition,
    query,
    settings_at,
    xlsx_bytes,
)

TITLE = ["孟州市信访事项登记台账"]


def test_a_gate_error_rejects_the_whole_file_with_the_clerks_message(tmp_path):
    s = settings_at(tmp_path)
    bad_id = id_number("410883", "19800101", "123")[:-1] + "0"  # ingestion's warning, once
    rows = [
        [*petition("XF-1"), "2025-01-04"],
        [*petition("XF-2", id_number=bad_id), "2025-01-02"],  # notified before registered
    ]
    drop(s, MENGZHOU, "台账.xlsx", xlsx_bytes([TITLE, [*PETITION_HEADER, "受理告知日期"], *rows]))
    (result,) = ingest(s)
    parsed = result.parsed
    assert result.loaded and parsed.outcome == "rejected"
    errors = [(m.rule, m.source_row, m.message) for m in parsed.messages if m.severity == "error"]
    assert errors == [
        (
            "date.order",
            4,
            "孟州市 台账.xlsx 第 4 行「受理告知日期」2025-01-02 早于「登记日期」2025-01-03",
        )
    ]
    # the bad ID number is told once (ingestion's id.invalid), not again by the gate's id.*
    assert [m.rule for m in parsed.messages if m.severity == "warning"] == ["id.invalid"]
    assert query(s, "SELECT outcome, error_count, warning_count FROM raw.submissions") == [
        ("rejected", 1, 1)
    ]
    assert query(s, "SELECT count(*) FROM raw.petitions") == [(0,)]
    stored = query(s, "SELECT rule, message FROM raw.submission_messages ORDER BY seq")
    assert stored == [(m.rule, m.message) for m in parsed.messages]
    runs = "SELECT suite_name, outcome, success FROM audit.validation_runs WHERE submission_id = ?"
    assert sorted(query(s, runs, [parsed.submission_id])) == [
        ("petitions", "rejected", False),
        ("submission", "rejected", True),  # no previous submission to compare with
    ]
    assert query(s, "SELECT rule, source_row, message FROM audit.row_failures") == [
        ("date.order", 4, errors[0][2])
    ]
    failed = query(s, "SELECT rule FROM audit.expectation_results WHERE NOT success ORDER BY rule")
    assert failed == [("date.order",), ("id.check_digit",)]  # recorded, though not re-told
    archived = s.archive / archive_path(MENGZHOU, parsed.sha256, "台账.xlsx")
    report = archived.with_name(f"{parsed.sha256}.rejection.html").read_text("utf-8")
    assert errors[0][2] in report
    assert bad_id not in report and (s.reports / "quality" / "index.html").is_file()


def test_a_halved_ledger_is_held_until_an_operator_accepts_it(tmp_path):
    s = settings_at(tmp_path)
    items = [f"XF-{i}" for i in range(1, 11)]
    first = xlsx_bytes([TITLE, PETITION_HEADER, *(petition(i) for i in items)])
    drop(s, MENGZHOU, "一月.xlsx", first)
    second = xlsx_bytes([TITLE, PETITION_HEADER, *(petition(i) for i in items[:4])])
    drop(s, MENGZHOU, "二月.xlsx", second, RECEIVED + timedelta(days=30))
    january, february = ingest(s)
    assert january.parsed.outcome == "accepted"
    assert february.parsed.outcome == "held"
    held = [(m.rule, m.message) for m in february.parsed.messages]
    assert held == [
        (
            "submission.row_drop_hold",
            "孟州市 二月.xlsx 本次报送 4 行，比上次报送（2025-03-01）的 10 行减少 60.0%，"
            "已暂缓入库，待审核确认",
        ),
        (
            "submission.keys_vanished",
            "孟州市 二月.xlsx 与上次报送（2025-03-01）相比，缺少 6 条记录："
            "XF-5、XF-6、XF-7、XF-8、XF-9、XF-10",
        ),
    ]
    sid = february.parsed.submission_id
    registry = "SELECT submission_id, outcome FROM raw.submissions ORDER BY received_at"
    assert query(s, registry) == [(january.parsed.submission_id, "accepted"), (sid, "held")]
    assert query(s, "SELECT count(*) FROM raw.petitions WHERE submission_id = ?", [sid]) == [(4,)]
    current = "SELECT count(*) FROM raw.petitions_current WHERE submission_id = ?"
    assert query(s, current, [sid]) == [(0,)]
    runs = "SELECT suite_name, outcome FROM audit.validation_runs WHERE submission_id = ?"
    assert sorted(query(s, runs, [sid])) == [("petitions", "held"), ("submission", "held")]

    con = duckdb.connect(str(s.warehouse))
    try:
        quality.accept(con, sid, by="市信访局 王科长", reason="县局核实：六件并案办理")
    finally:
        con.close()
    assert query(s, registry)[-1] == (sid, "accepted")
    assert query(s, current, [sid]) == [(4,)]
