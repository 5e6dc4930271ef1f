"""The audit trail answers "which checks did 孟州市's submission of 2025-12-03 pass, and which
rows failed"; held and warned submissions are accepted with a reason; errors never are."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from xinfang.cli import main
from xinfang.config import Settings
from xinfang.quality import audit
from xinfang.quality.docs import build_data_docs
from xinfang.quality.gate import compare, validate
from xinfang.quality.history import previous_submission
from xinfang.quality.results import GateResult
from xinfang.warehouse import connect

from .builders import BAD_CHECK, RECEIVED, d, petitions, register, submission, with_cell

NOVEMBER = submission(
    sid="410883-00000000000000b1",
    file_name="台账（11月）.xlsx",
    received_at=RECEIVED - timedelta(days=8),
)
DECEMBER = submission(sid="410883-00000000000000b2")  # received 2025-12-03
HELD = submission(sid="410883-00000000000000b3", received_at=RECEIVED + timedelta(days=2))
WARNED = submission(sid="410883-00000000000000b4", received_at=RECEIVED + timedelta(days=4))


def promote(con, sub, frame) -> GateResult:
    """The serial promote step: compare, then register and record in one transaction."""
    result = compare(validate(frame, sub), previous_submission(con, sub))
    con.execute("BEGIN TRANSACTION")
    register(con, sub, frame, result.outcome)
    audit.record(con, result)
    con.execute("COMMIT")
    return result


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("audit") / "warehouse.duckdb"
    con = connect(path)
    base = petitions(40)
    assert promote(con, NOVEMBER, base).outcome == "accepted"
    december = with_cell(base, 37, "concluded_on", d("2025-10-30"))
    december = with_cell(december, 12, "id_number", BAD_CHECK)
    assert promote(con, DECEMBER, december).outcome == "rejected"
    assert promote(con, HELD, base.head(15)).outcome == "held"
    assert promote(con, WARNED, with_cell(base, 20, "id_number", BAD_CHECK)).outcome == "accepted"
    con.close()
    return path


@pytest.fixture
def copy(warehouse, tmp_path, monkeypatch) -> Path:
    """A private copy of the warehouse, named by XINFANG_WAREHOUSE for the commands."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, path)
    monkeypatch.setenv("XINFANG_WAREHOUSE", str(path))
    return path


def audit_output(capsys, *argv: str) -> str:
    assert main(["audit", *argv]) == 0
    return capsys.readouterr().out


def test_the_audit_names_every_check_and_the_failing_rows(copy, capsys):
    out = audit_output(capsys, "--unit", "孟州市", "--date", "2025-12-03")
    assert "孟州市（410883） 台账.xlsx  信访事项登记台账" in out
    assert f"报送编号 {DECEMBER.submission_id}" in out and "结论 退回" in out
    assert NOVEMBER.submission_id not in out  # another day
    for suite in ("检查套件 petitions", "检查套件 submission"):
        assert suite in out
    checks = [line.split() for line in out.splitlines() if "expect_" in line]
    failed = [(c[1], c[2], c[4], c[5]) for c in checks if c[0] == "未通过"]
    assert failed == [
        ("警告", "id.check_digit", "id_number_problem", "1（第"),
        ("错误", "date.order", "concluded_on", "1（第"),
        ("错误", "date.order", "concluded_on", "1（第"),
    ]
    assert ["通过", "错误", "key.unique"] in [c[:3] for c in checks]
    assert sum(c[0] == "通过" for c in checks) == 43 - 3 + 4
    assert "未通过的行（3 条）" in out
    assert "孟州市 台账.xlsx 第 37 行「办结日期」2025-10-30 早于「受理告知日期」2025-11-03" in out
    assert "孟州市 台账.xlsx 第 37 行「办结日期」2025-10-30 早于「登记日期」2025-11-01" in out
    masked = BAD_CHECK[:4] + "*" * 12 + BAD_CHECK[-2:]
    assert f"孟州市 台账.xlsx 第 12 行「证件号码」{masked} 校验码错误" in out
    assert BAD_CHECK not in out


@pytest.mark.parametrize("unit", ["410883", "孟州市|410883"])
def test_the_unit_may_be_named_by_code(copy, capsys, unit):
    out = audit_output(capsys, "--unit", unit, "--date", "2025-12-03")
    assert f"报送编号 {DECEMBER.submission_id}" in out and "第 37 行" in out


def test_one_submission_by_its_id(copy, capsys):
    out = audit_output(capsys, "--submission", HELD.submission_id)
    assert "结论 暂缓（待审核）" in out
    assert "本次报送 15 行，比上次报送（2025-11-25）的 40 行减少 62.5%" in out


def test_the_data_docs_site_shows_the_suites_and_the_run(copy, capsys):
    out = audit_output(capsys, "--unit", "孟州市", "--date", "2025-12-03", "--docs")
    index = Path(out.strip().splitlines()[-1].removeprefix("Data Docs: "))
    assert index == Settings.from_env().reports / "quality" / "index.html"
    html = index.read_text(encoding="utf-8")
    assert "petitions" in html and "孟州市_2025-12-03_410883-00000000000000b2" in html
    run = "孟州市_2025-12-03_" + DECEMBER.submission_id
    (page,) = (index.parent / "validations" / "petitions" / run).rglob("*.html")
    page = page.read_text(encoding="utf-8")
    assert "concluded_on" in page and "2025-10-30" in page and BAD_CHECK not in page


def test_every_run_is_in_the_full_site(warehouse, tmp_path):
    con = connect(warehouse, read_only=True)
    index = build_data_docs(con, tmp_path / "site")
    con.close()
    runs = list((tmp_path / "site" / "validations").rglob("*.html"))
    assert len(runs) == 4 * 2  # four submissions, two suites each
    assert "submission" in index.read_text(encoding="utf-8")


def test_recording_is_part_of_the_callers_transaction(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    result = validate(petitions(), DECEMBER)
    audit.ensure_schema(con)
    con.execute("BEGIN TRANSACTION")
    audit.record(con, result)
    con.execute("ROLLBACK")
    assert con.execute("SELECT count(*) FROM audit.validation_runs").fetchall() == [(0,)]


def test_an_error_can_never_be_forced(copy, capsys):
    assert main(["accept", DECEMBER.submission_id, "--reason", "领导同意", "--by", "张三"]) == 1
    assert "不能强制通过" in capsys.readouterr().err
    con = connect(copy)
    with pytest.raises(audit.CannotForce):
        audit.accept(con, DECEMBER.submission_id, by="市信访局局长", reason="特批")
    assert con.execute(
        "SELECT outcome FROM raw.submissions WHERE submission_id = ?", [DECEMBER.submission_id]
    ).fetchall() == [("rejected",)]
    assert con.execute("SELECT count(*) FROM audit.acceptances").fetchall() == [(0,)]


def test_a_held_submission_is_promoted_with_who_when_and_why(copy, capsys):
    reason = "乡镇合并，台账已核减，经核实无误"
    assert main(["accept", HELD.submission_id, "--reason", reason, "--by", "王科长"]) == 0
    assert "暂缓（待审核） → 通过；确认人 王科长" in capsys.readouterr().out
    con = connect(copy)
    assert con.execute(
        "SELECT outcome FROM raw.submissions WHERE submission_id = ?", [HELD.submission_id]
    ).fetchall() == [("accepted",)]
    ((by, why, before, after),) = con.execute(
        "SELECT accepted_by, reason, outcome_before, outcome_after FROM audit.acceptances"
    ).fetchall()
    assert (by, why, before, after) == ("王科长", reason, "held", "accepted")
    # now in force: a submission that arrives after it is compared with it
    after = submission(sid="410883-00000000000000c1", received_at=HELD.received_at + timedelta(1))
    assert previous_submission(con, after).submission_id == HELD.submission_id
    con.close()
    out = audit_output(capsys, "--submission", HELD.submission_id)
    assert "结论 通过（检查时：暂缓（待审核））" in out and f"王科长：{reason}" in out


def test_a_warned_submission_is_acknowledged_with_a_reason(copy):
    con = connect(copy)
    done = audit.accept(con, WARNED.submission_id, by="李四", reason="证件号码已电话核实")
    assert (done.outcome_before, done.outcome_after) == ("accepted", "accepted")
    assert con.execute("SELECT reason FROM audit.acceptances").fetchall() == [
        ("证件号码已电话核实",)
    ]


def test_an_acceptance_needs_a_reason_and_something_to_accept(copy):
    con = connect(copy)
    with pytest.raises(ValueError, match="理由"):
        audit.accept(con, HELD.submission_id, by="王科长", reason="  ")
    with pytest.raises(ValueError, match="无需确认"):
        audit.accept(con, NOVEMBER.submission_id, by="王科长", reason="例行")
    with pytest.raises(LookupError):
        audit.accept(con, "410883-ffffffffffffffff", by="王科长", reason="例行")
