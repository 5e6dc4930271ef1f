from __future__ import annotations

from datetime import date

import pandas as pd

from xinfang.quality.idcard import mask, problems

from .builders import VALID_ID, citizen_id


def test_each_number_gets_its_first_problem_or_none():
    numbers = {
        VALID_ID: None,
        citizen_id("11010519491231002"): None,  # ends in X
        citizen_id("81000019900101001"): None,  # Hong Kong residence permit
        "１１０１０５１９４９１２３１００２ｘ".strip(): "format",  # ingestion folds width first
        "41088319850312": "format",
        "41088319850312001Y": "format",
        citizen_id("99088319850312001"): "province",
        citizen_id("41088319850229001"): "birth_date",  # 1985 is no leap year
        citizen_id("41088319890001001"): "birth_date",
        citizen_id("41088318990101001"): "birth_date",  # before 1900
        citizen_id("41088320251204001"): "birth_date",  # after the submission
        VALID_ID[:-1] + str((int(VALID_ID[-1]) + 1) % 10): "check_digit",
        None: None,
        "  ": None,
    }
    found = problems(pd.Series(list(numbers), dtype=object), today=date(2025, 12, 3))
    assert [None if pd.isna(p) else p for p in found] == list(numbers.values())


def test_a_leap_day_is_a_birth_date():
    number = citizen_id("41088320000229001")
    assert pd.isna(problems(pd.Series([number]), today=date(2025, 1, 1)).iloc[0])


def test_masking_keeps_the_first_four_and_the_last_two():
    assert mask("41088319850312001X") == "4108************1X"
    assert mask(" 410883 ") == "******"
    assert mask(None) is None
