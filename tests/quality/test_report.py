"""The clerk's report beside the archived file: one line per problem, in Chinese."""

from __future__ import annotations

from python_calamine import CalamineWorkbook

from xinfang.quality.gate import validate
from xinfang.quality.report import HEADERS, write_clerk_report
from xinfang.quality.results import Message

from .builders import BAD_CHECK, RECEIVED, d, petitions, submission, with_cell


def test_the_report_lists_ingestions_and_the_gates_problems(tmp_path):
    sub = submission()
    frame = with_cell(petitions(40), 37, "concluded_on", d("2025-10-30"))
    frame = with_cell(frame, 12, "id_number", BAD_CHECK)
    result = validate(frame, sub)
    parse_problem = Message(
        "error",
        "date.invalid",
        20,
        "办结日期",
        "2025-02-30",
        "孟州市 台账.xlsx 第 20 行「办结日期」2025-02-30 不是有效日期",
    )
    archived = tmp_path / "archive" / "410883" / sub.sha256[:2] / f"{sub.sha256}.xlsx"
    archived.parent.mkdir(parents=True)
    archived.write_bytes(b"the county's bytes")

    xlsx, html = write_clerk_report(
        [parse_problem, *result.messages],
        archived,
        unit_name=sub.unit_name,
        file_name=sub.file_name,
        outcome="rejected",
        received_at=RECEIVED,
    )

    assert (xlsx.name, html.name) == (
        f"{sub.sha256}.rejection.xlsx",
        f"{sub.sha256}.rejection.html",
    )
    assert xlsx.parent == archived.parent and archived.read_bytes() == b"the county's bytes"
    rows = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "孟州市 台账.xlsx 台账质量检查结果：退回"
    assert "错误 3 项" in rows[1][0] and "警告 1 项" in rows[1][0]
    assert tuple(rows[3]) == HEADERS
    lines = [r for r in rows[4:] if r[0] != ""]
    assert [(int(r[1]), r[2], r[5]) for r in lines] == [
        (20, "办结日期", "错误"),
        (37, "办结日期", "错误"),
        (37, "办结日期", "错误"),
        (12, "证件号码", "警告"),
    ]
    assert lines[0][4] == "孟州市 台账.xlsx 第 20 行「办结日期」2025-02-30 不是有效日期"
    assert lines[0][6] == "请按台账报送规范更正后重新报送"  # ingestion's rule: the general fix
    assert lines[1][6] == "请核实两项日期的先后"
    assert BAD_CHECK[4:-2] not in str(rows)

    page = html.read_text(encoding="utf-8")
    assert "<h1>孟州市 台账.xlsx 台账质量检查结果：退回</h1>" in page
    assert "第 37 行「办结日期」2025-10-30 早于「受理告知日期」2025-11-03" in page


def test_a_warned_submission_gets_a_warnings_report(tmp_path):
    archived = tmp_path / "ab" / "abcd.csv"
    warning = Message(
        "warning",
        "submission.keys_vanished",
        None,
        None,
        "A1",
        "孟州市 台账.csv 与上次报送（2025-11-25）相比，缺少 1 条记录：A1",
    )
    xlsx, html = write_clerk_report(
        [warning],
        archived,
        unit_name="孟州市",
        file_name="台账.csv",
        outcome="held",
        received_at=RECEIVED,
    )
    assert (xlsx.name, html.name) == ("abcd.warnings.xlsx", "abcd.warnings.html")
    assert "暂缓（待审核）" in html.read_text(encoding="utf-8")
