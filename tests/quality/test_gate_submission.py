"""A submission against the unit's previous accepted one: drops hold or reject, vanished keys
and changed registration dates warn."""

from __future__ import annotations

import json
from datetime import timedelta

import pandas as pd
import pytest

from xinfang.quality.frames import PreviousSubmission
from xinfang.quality.gate import compare, validate
from xinfang.quality.history import previous_submission
from xinfang.quality.results import GateResult
from xinfang.warehouse import connect

from .builders import RECEIVED, d, petitions, register, submission, with_cell

P = "孟州市 台账.xlsx"
BEFORE = RECEIVED - timedelta(days=30)


def previous(frame: pd.DataFrame) -> PreviousSubmission:
    return PreviousSubmission(
        "410883-00000000000000a0",
        BEFORE,
        "台账（11月）.xlsx",
        pd.DataFrame({"key": frame["item_id"], "registration_date": frame["registered_on"]}),
    )


@pytest.fixture(scope="module")
def ten():
    frame = petitions(10)
    return frame, validate(frame, submission())


def submission_checks(result):
    (run,) = [r for r in result.runs if r.suite_name == "submission"]
    return {c.rule: c for c in run.checks}


def test_a_first_submission_passes_the_comparison(ten):
    _, result = ten
    compared = compare(result, None)
    assert compared.outcome == "accepted"
    assert all(c.success for c in submission_checks(compared).values())
    assert [r.suite_name for r in compared.runs] == ["petitions", "submission"]
    # comparing again replaces the comparison, it does not add a second one
    assert [r.suite_name for r in compare(compared, None).runs] == ["petitions", "submission"]


def test_an_unchanged_resubmission_passes(ten):
    frame, result = ten
    assert compare(result, previous(frame)).messages == []


def test_half_the_rows_is_not_yet_a_drop(ten):
    frame, _ = ten
    result = compare(validate(frame.head(5), submission()), previous(frame))
    assert result.outcome == "accepted"
    assert submission_checks(result)["submission.row_drop_hold"].success


def test_more_than_half_fewer_rows_holds_the_submission(ten):
    frame, _ = ten
    result = compare(validate(frame.head(4), submission()), previous(frame))
    assert result.outcome == "held"
    drop = [m.message for m in result.messages if m.rule == "submission.row_drop_hold"]
    assert drop == [
        f"{P} 本次报送 4 行，比上次报送（2025-11-03）的 10 行减少 60.0%，已暂缓入库，待审核确认"
    ]


def test_more_than_ninety_percent_fewer_rows_rejects():
    frame = petitions(21)
    result = compare(validate(frame.head(2), submission()), previous(frame))
    assert result.outcome == "rejected"
    messages = {m.rule: m.message for m in result.messages}
    assert messages["submission.row_drop_reject"] == (
        f"{P} 本次报送 2 行，比上次报送（2025-11-03）的 21 行减少 90.5%，超过 90%"
    )
    # exactly 90 % fewer is held, not rejected
    held = compare(validate(petitions(2), submission()), previous(petitions(20)))
    assert held.outcome == "held"


def test_vanished_keys_warn_listing_them(ten):
    frame, _ = ten
    kept = frame[~frame["item_id"].isin(["MZ20250003", "MZ20250007"])]
    result = compare(validate(kept, submission()), previous(frame))
    assert result.outcome == "accepted"
    assert [m.message for m in result.messages] == [
        f"{P} 与上次报送（2025-11-03）相比，缺少 2 条记录：MZ20250003、MZ20250007"
    ]
    check = submission_checks(result)["submission.keys_vanished"]
    assert check.severity == "warning" and check.unexpected_count == 2
    assert check.sample_values == ("MZ20250003", "MZ20250007")


def test_a_changed_registration_date_warns(ten):
    frame, _ = ten
    changed = with_cell(frame, 6, "registered_on", d("2025-11-02"))
    result = compare(validate(changed, submission()), previous(frame))
    assert result.outcome == "accepted"
    assert [m.message for m in result.messages] == [
        f"{P} 第 6 行「登记日期」由上次报送的 2025-11-01 改为 2025-11-02（信访件编号 MZ20250002）"
    ]


def test_the_previous_submission_is_the_latest_accepted_one_before_this(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    frame = petitions(6)
    older = submission(sid="410883-0000000000000001", received_at=RECEIVED - timedelta(days=60))
    accepted = submission(sid="410883-0000000000000002", received_at=RECEIVED - timedelta(days=9))
    rejected = submission(sid="410883-0000000000000003", received_at=RECEIVED - timedelta(days=2))
    later = submission(sid="410883-0000000000000004", received_at=RECEIVED + timedelta(days=2))
    other_unit = submission(
        sid="140423-0000000000000005", unit="140423", received_at=RECEIVED - timedelta(days=1)
    )
    register(con, older, frame, "accepted")
    register(con, accepted, frame.head(5), "accepted")
    register(con, rejected, frame.head(1), "rejected")
    register(con, later, frame.head(2), "accepted")
    register(con, other_unit, frame.head(3), "accepted")
    now = submission()
    found = previous_submission(con, now)
    assert (found.submission_id, found.row_count) == (accepted.submission_id, 5)
    assert list(found.rows["key"]) == list(frame["item_id"].head(5))
    assert previous_submission(con, older) is None
    # a held submission is not in force until an operator accepts it
    register(
        con,
        submission(sid="410883-0000000000000006", received_at=RECEIVED - timedelta(hours=1)),
        frame.head(1),
        "held",
    )
    assert previous_submission(con, now).submission_id == accepted.submission_id


def test_a_gate_result_travels_as_json_from_parse_to_promote(ten):
    frame, _ = ten
    changed = with_cell(frame, 6, "registered_on", d("2025-11-02"))
    parsed = validate(with_cell(changed, 5, "item_id", None), submission())
    back = GateResult.from_dict(json.loads(json.dumps(parsed.to_dict(), ensure_ascii=False)))
    assert back.runs == parsed.runs and back.submission == parsed.submission
    pd.testing.assert_frame_equal(back.snapshot, parsed.snapshot, check_dtype=False)
    assert compare(back, previous(frame)).messages == compare(parsed, previous(frame)).messages
