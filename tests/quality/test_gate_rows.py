"""Each kind of bad row is rejected or warned as designed, with the clerk's message."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pytest

from xinfang.quality import engine, suites
from xinfang.quality.gate import MESSAGES_PER_CHECK, validate
from xinfang.quality.results import Message
from xinfang.quality.rules import RULES

from .builders import (
    BAD_CHECK,
    backlog,
    citizen_id,
    d,
    petitions,
    risks,
    submission,
    with_cell,
)

P = "孟州市 台账.xlsx"


def failed_rules(result) -> set[str]:
    return {c.rule for c in result.failed}


def texts(result) -> list[str]:
    return [m.message for m in result.messages]


@pytest.mark.parametrize(
    ("kind", "frame"), [("petitions", petitions()), ("risks", risks()), ("backlog", backlog())]
)
def test_a_clean_ledger_passes_every_check(kind, frame):
    result = validate(frame, submission(kind))
    assert result.outcome == "accepted"
    assert result.messages == []
    assert all(c.success and c.evaluated for c in result.checks)
    # every rule of the suite ran: one run, as many checks as the suite file has
    suite, _ = suites.read(kind)
    assert len(result.checks) == len(suite["expectations"])


def test_missing_required_column_rejects_once_naming_the_aliases():
    headers = {
        "item_id": "件号",
        "channel": "信访形式",
        "level": "登记层级",
        "persons": "人数",
        "category": "内容分类",
        "is_first": "初信初访",
        "id_number": "身份证号",
    }
    result = validate(petitions(), submission(headers=headers))
    assert result.outcome == "rejected"
    assert texts(result) == [
        f"{P} 缺少必填列「登记日期」（可用表头：登记日期、信访日期、来访日期）"
    ]
    skipped = [c for c in result.checks if not c.evaluated]
    assert {c.column for c in skipped} >= {"registered_on"}
    assert failed_rules(result) == {"column.missing"} | {c.rule for c in skipped}


def test_empty_required_cell_rejects():
    result = validate(with_cell(petitions(), 5, "channel", None), submission())
    assert result.outcome == "rejected"
    assert texts(result) == [f"{P} 第 5 行「信访形式」为空，该项为必填项"]


def test_value_outside_the_enum_rejects_listing_the_allowed_values():
    result = validate(with_cell(petitions(), 6, "level", "到镇"), submission())
    assert result.outcome == "rejected"
    assert texts(result) == [
        f"{P} 第 6 行「登记层级」“到镇”不是规定的取值（应为：国家、省、市、县）"
    ]


def test_the_header_as_written_names_the_column():
    headers = {
        "item_id": "件号",
        "registered_on": "信访日期",
        "channel": "来源形式",
        "level": "走访层级",
        "persons": "人数",
        "category": "内容分类",
        "is_first": "初信初访",
    }
    frame = with_cell(petitions(), 4, "registered_on", d("2025-12-04"))
    result = validate(frame, submission(headers=headers))
    assert texts(result) == [f"{P} 第 4 行「信访日期」2025-12-04 晚于报送日期 2025-12-03"]


def test_a_date_after_the_submission_rejects_but_a_deadline_may_follow_it():
    frame = with_cell(risks(), 5, "found_on", d("2025-12-04"))
    result = validate(frame, submission("risks"))
    assert result.outcome == "rejected"
    assert texts(result) == [f"{P} 第 5 行「排查日期」2025-12-04 晚于报送日期 2025-12-03"]
    # due_on 2026-01-31 (化解时限) is after the submission in every row and is fine
    assert validate(risks(), submission("risks")).outcome == "accepted"


def test_a_date_received_the_same_day_is_fine():
    frame = with_cell(petitions(), 4, "registered_on", d("2025-12-03"))
    frame = with_cell(frame, 4, "accepted_on", d("2025-12-03"))
    frame = with_cell(frame, 4, "concluded_on", d("2025-12-03"))
    assert validate(frame, submission()).outcome == "accepted"


def test_an_implausibly_early_date_rejects():
    result = validate(
        with_cell(backlog(), 3, "first_petitioned_on", d("1925-05-06")), submission("backlog")
    )
    assert result.outcome == "rejected"
    assert texts(result) == [f"{P} 第 3 行「首次信访日期」1925-05-06 早于 1980-01-01，疑为录入错误"]


@pytest.mark.parametrize(
    ("kind", "frame", "row", "column", "value", "message"),
    [
        (
            "petitions",
            petitions(),
            5,
            "accepted_on",
            d("2025-10-30"),
            "第 5 行「受理告知日期」2025-10-30 早于「登记日期」2025-11-01",
        ),
        (
            "petitions",
            petitions(),
            6,
            "concluded_on",
            d("2025-11-02"),
            "第 6 行「办结日期」2025-11-02 早于「受理告知日期」2025-11-03",
        ),
        (
            "risks",
            risks(),
            4,
            "due_on",
            d("2025-10-01"),
            "第 4 行「化解时限」2025-10-01 早于「排查日期」2025-10-10",
        ),
        (
            "backlog",
            backlog(),
            4,
            "listed_on",
            d("2011-01-01"),
            "第 4 行「挂账日期」2011-01-01 早于「首次信访日期」2012-05-06",
        ),
        (
            "backlog",
            backlog(),
            5,
            "resolved_on",
            d("2024-02-01"),
            "第 5 行「化解日期」2024-02-01 早于「挂账日期」2024-03-01",
        ),
    ],
)
def test_dates_out_of_order_reject(kind, frame, row, column, value, message):
    result = validate(with_cell(frame, row, column, value), submission(kind))
    assert result.outcome == "rejected"
    assert texts(result) == [f"{P} {message}"]


def test_concluded_before_registered_without_acceptance_date_rejects():
    frame = with_cell(petitions(), 4, "accepted_on", None)
    frame = with_cell(frame, 4, "concluded_on", d("2025-10-01"))
    result = validate(frame, submission())
    assert texts(result) == [f"{P} 第 4 行「办结日期」2025-10-01 早于「登记日期」2025-11-01"]


def test_fewer_than_one_person_rejects():
    result = validate(with_cell(petitions(), 4, "persons", 0), submission())
    assert result.outcome == "rejected"
    assert texts(result) == [f"{P} 第 4 行「信访人数」0 小于 1"]
    # optional in the risk ledger, but at least 1 when given
    frame = with_cell(with_cell(risks(), 4, "persons", None), 5, "persons", 0)
    assert texts(validate(frame, submission("risks"))) == [f"{P} 第 5 行「涉及人数」0 小于 1"]


def test_negative_money_rejects():
    result = validate(with_cell(backlog(), 4, "relief_fund", -200.5), submission("backlog"))
    assert texts(result) == [f"{P} 第 4 行「信访专项资金（元）」-200.5 为负数"]


def test_a_repeated_key_rejects_naming_the_other_rows():
    frame = with_cell(
        with_cell(petitions(4), 6, "item_id", "MZ20250000"), 7, "item_id", "MZ20250000"
    )
    result = validate(frame, submission())
    assert result.outcome == "rejected"
    assert texts(result) == [
        f"{P} 第 4 行「信访件编号」MZ20250000 重复（同见第 6、7 行）",
        f"{P} 第 6 行「信访件编号」MZ20250000 重复（同见第 4、7 行）",
        f"{P} 第 7 行「信访件编号」MZ20250000 重复（同见第 4、6 行）",
    ]


@pytest.mark.parametrize(
    ("number", "rule", "shown", "problem"),
    [
        ("4108831985031200", "id.format", "4108**********00", "不是 18 位公民身份号码"),
        (citizen_id("99088319850312001"), "id.province", None, "前两位不是有效的省级行政区划代码"),
        (citizen_id("41088319850230001"), "id.birth_date", None, "中的出生日期无效"),
        (citizen_id("41088320300101001"), "id.birth_date", None, "中的出生日期无效"),
        (BAD_CHECK, "id.check_digit", None, "校验码错误"),
    ],
)
def test_an_invalid_id_number_warns_masked_and_never_leaks(number, rule, shown, problem):
    result = validate(with_cell(petitions(), 5, "id_number", number), submission())
    assert result.outcome == "accepted"
    assert failed_rules(result) == {rule}
    masked = shown or number[:4] + "*" * 12 + number[-2:]
    assert texts(result) == [f"{P} 第 5 行「证件号码」{masked} {problem}"]
    assert result.messages[0].severity == "warning"
    assert result.messages[0].value == masked
    everything = (
        repr(result.messages)
        + repr(result.checks)
        + json.dumps([r.gx_result for r in result.runs], ensure_ascii=False, default=str)
    )
    assert number not in everything and number[4:-2] not in everything


def test_a_lower_case_check_character_and_spaces_are_valid():
    number = citizen_id("11010519491231002")
    assert number.endswith("X")
    frame = with_cell(petitions(), 4, "id_number", f" {number.lower()} ")
    assert validate(frame, submission()).outcome == "accepted"


@pytest.mark.parametrize(
    ("kind", "frame", "row", "changes", "message"),
    [
        (
            "risks",
            risks(),
            4,
            {"status": "已化解"},
            "第 4 行「化解状态」为“已化解”，但「化解日期」为空",
        ),
        (
            "backlog",
            backlog(),
            4,
            {"status": "已终结", "resolved_on": None},
            "第 4 行「化解状态」为“已终结”，但「化解日期」为空",
        ),
        (
            "risks",
            risks(),
            5,
            {"resolved_on": d("2025-11-01")},
            "第 5 行「化解日期」2025-11-01 已填写，但「化解状态」为“化解中”",
        ),
        (
            "backlog",
            backlog(),
            3,
            {"status": "未化解"},
            "第 3 行「化解日期」2025-06-30 已填写，但「化解状态」为“未化解”",
        ),
    ],
)
def test_status_and_resolution_date_must_agree(kind, frame, row, changes, message):
    for column, value in changes.items():
        frame = with_cell(frame, row, column, value)
    result = validate(frame, submission(kind))
    assert result.outcome == "rejected"
    assert texts(result) == [f"{P} {message}"]


def test_an_unknown_content_class_rejects_old_names_and_risk_domains_do_not():
    frame = with_cell(petitions(), 4, "category", "外事侨务_签证")
    frame = with_cell(frame, 4, "category_l1", None)  # ingestion could not map it
    frame = with_cell(frame, 5, "category", "国土资源_征地")
    frame = with_cell(frame, 5, "category_l1", None)
    result = validate(frame, submission())
    assert texts(result) == [
        f"{P} 第 4 行「内容分类」“外事侨务_签证”的一级分类不在规定的内容分类中"
    ]
    # a special domain is a content class of the risk ledger only
    risky = with_cell(with_cell(petitions(), 6, "category", "征地拆迁"), 6, "category_l1", None)
    risky = validate(risky, submission())
    assert failed_rules(risky) == {"category.unknown"}
    assert validate(risks(), submission("risks")).outcome == "accepted"


def test_cells_ingestion_already_reported_get_no_second_message():
    frame = with_cell(with_cell(petitions(), 4, "channel", None), 5, "channel", None)
    told = Message(
        "error",
        "enum.invalid",
        4,
        "信访形式",
        "到访",
        f"{P} 第 4 行「信访形式」到访 不是规定的选项",
    )
    result = validate(frame, submission(), reported=[told])
    check = next(c for c in result.failed if c.rule == "value.required")
    assert check.source_rows == (4, 5)  # the audit still sees both rows
    assert texts(result) == [f"{P} 第 5 行「信访形式」为空，该项为必填项"]
    assert result.outcome == "rejected"


def test_many_failures_are_listed_up_to_a_cap_then_summed_up():
    n = MESSAGES_PER_CHECK + 5
    frame = petitions(n).assign(persons=0)
    result = validate(frame, submission())
    (check,) = result.failed
    assert check.unexpected_count == n and len(check.source_rows) == n
    assert len(check.messages) == MESSAGES_PER_CHECK + 1
    rest = check.source_rows[MESSAGES_PER_CHECK:]
    assert check.messages[-1].message == (
        f"{P}「信访人数」另有 5 行存在同样问题（第 {rest[0]}—{rest[-1]} 行）"
    )


def test_an_arrow_table_from_ingestion_is_accepted():
    frame = petitions()
    table = pa.Table.from_pandas(frame, preserve_index=False)
    assert validate(table, submission()).outcome == "accepted"
    broken = pa.Table.from_pandas(
        with_cell(frame, 4, "persons", 0).astype({"persons": "Int32"}), preserve_index=False
    )
    assert texts(validate(broken, submission())) == [f"{P} 第 4 行「信访人数」0 小于 1"]


def test_the_frame_is_not_modified():
    frame = petitions()
    before = frame.copy()
    validate(frame, submission())
    pd.testing.assert_frame_equal(frame, before)


def test_problem_codes_found_by_ingestion_stand_in_for_the_numbers():
    frame = (
        petitions().drop(columns="id_number").assign(id_number_problem=[None, "check_digit", None])
    )
    result = validate(frame, submission())
    assert result.outcome == "accepted"
    (check,) = result.failed
    assert (check.rule, check.source_rows) == ("id.check_digit", (5,))
    assert texts(result) == [f"{P} 第 5 行「证件号码」校验码错误"]


def test_a_check_that_cannot_run_fails_rather_than_passes(monkeypatch):
    import great_expectations as gx

    runtime = engine.runtime()
    suite, sha256 = runtime._suites["petitions"]
    broken = gx.ExpectationSuite(
        name="petitions",
        expectations=[e.configuration for e in suite.expectations]
        + [
            gx.expectations.ExpectColumnValuesToMatchRegex(
                column="township", regex="(", meta=RULES["enum.domain"].meta(subject="township")
            ).configuration
        ],
    )
    monkeypatch.setitem(runtime._suites, "petitions", (broken, sha256))
    columns = runtime.columns
    monkeypatch.setattr(runtime, "columns", lambda name: columns(name) | {"township"})
    result = validate(petitions(), submission())
    (check,) = result.failed
    assert (check.evaluated, check.column) == (False, "township") and check.exception
    assert result.outcome == "rejected"
    assert texts(result) == [f"{P} 质量检查“enum.domain”未能执行，请联系市信访局"]
