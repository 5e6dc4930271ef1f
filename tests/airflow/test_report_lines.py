"""The lines the nightly run prints for submissions that did not go in force."""

from __future__ import annotations

from xinfang.pipeline import describe_promotion, rejection_lines


def test_a_rejected_file_shows_its_first_error_and_a_held_one_its_first_warning():
    outcome = {
        "accepted": [{"label": "410802/a.xlsx", "errors": [], "warnings": []}],
        "rejected": [{"label": "410803/b.csv", "errors": ["第 3 行错误", "第 4 行错误"],
                      "warnings": ["提示"]}],
        "held": [{"label": "410825/c.xls", "errors": [], "warnings": ["减少 53.7%", "缺少"]}],
        "known": [],
    }  # fmt: skip
    assert rejection_lines(outcome) == [
        "退回 410803/b.csv：第 3 行错误",
        "暂缓（待审核） 410825/c.xls：减少 53.7%",
    ]
    assert describe_promotion(outcome) == (
        "1 submissions accepted, 1 rejected, 1 held, 0 already loaded"
    )
