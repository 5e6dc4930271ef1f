"""Synthetic persons: valid (or deliberately mistyped) ID numbers that no real person has."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from xinfang.reference import units
from xinfang.synth import people

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def check_ok(id_number: str) -> bool:
    """GB 11643-1999 / ISO 7064 MOD 11-2, written out independently of the generator."""
    total = sum(int(c) * w for c, w in zip(id_number[:17], WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == id_number[17]


def test_the_standard_example():
    assert check_ok("11010519491231002X")
    assert people.check_char("11010519491231002") == "X"


def test_generated_ids_are_valid_and_never_real(demo):
    t = demo.truth("petitions")
    ids = t.loc[t["id_number"].notna(), ["id_number", "id_valid", "unit_code"]].drop_duplicates()
    provinces = {u.code[:2] for u in units().values()}
    real_areas = {u.code[:4] for u in units().values()} | {
        u.prefecture_code[:4] for u in units().values()
    }
    for id_number, valid in zip(ids["id_number"], ids["id_valid"], strict=True):
        assert len(id_number) == 18 and id_number[:17].isdigit()
        assert check_ok(id_number) == valid
        assert id_number[:2] in provinces and id_number[2:4] == "98"
        assert id_number[:4] not in real_areas
        born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
        assert date(1940, 1, 1) <= born <= date(2004, 12, 31)
    local = ids["id_number"].str[:2] == ids["unit_code"].str[:2]
    assert 0.85 < local.mean() < 0.99


def test_a_few_mistyped_ids_per_unit_marked_as_warnings(demo):
    t = demo.truth("petitions")
    bad = t[t["id_valid"] == False]  # noqa: E712
    per_unit = bad.groupby("unit_code")["id_number"].nunique()
    assert set(per_unit.index) == {u["code"] for u in demo.manifest.units}
    assert per_unit.between(1, 3).all()
    for e in demo.manifest.good:
        rows = bad[bad["file"] == e.path]
        assert {(w.row, w.value) for w in e.warnings} == set(
            zip(rows["source_row"], rows["id_number"], strict=True)
        )
        assert all(w.rule == "id_number.check_digit" for w in e.warnings)


def test_names_and_phones(demo):
    t = demo.truth("petitions")
    names = t["name"].dropna()
    assert names.str.fullmatch(r"[\u4e00-\u9fff]{2,3}").all()
    phones = t["phone"].dropna()
    assert phones.str.fullmatch(r"154\d{8}").all()
    officials = pd.concat([demo.truth("risks")["owner"], demo.truth("backlog")["leader"]])
    assert officials.str.endswith("某某").all()
    pieces = {o[i : i + k] for o in set(officials) for k in (2, 3) for i in range(len(o) - k + 1)}
    assert not set(names) & pieces  # no petitioner's name hides in an official's


def test_id_numbers_vectorised_match_the_scalar_check():
    rng = np.random.default_rng(1)
    ids = people.id_numbers(
        rng, np.array(["41"] * 500), np.datetime64("1950-01-01"), np.datetime64("2000-01-01")
    )
    assert all(check_ok(i) for i in ids)
    assert all(people.check_char(i[:17]) == i[17] for i in ids)
    assert not any(check_ok(people.mistype_check_char(rng, i)) for i in ids[:50])
