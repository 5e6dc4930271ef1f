import csv
from collections import Counter

from xinfang import reference
from xinfang.schema import CATEGORIES, CATEGORY_CROSSWALK, RISK_DOMAINS


def test_every_mainland_county_level_unit_is_known():
    units = reference.units()
    assert len(units) == 2849
    # the examples named in ledgers.md
    assert units["410883"].name == "孟州市"
    assert units["140423"].name == "襄垣县"
    assert units["150826"].name == "杭锦后旗"
    assert units["431202"].name == "鹤城区"
    # 31 provinces, no Hong Kong, Macao or Taiwan
    provinces = Counter(u.province_name for u in units.values())
    assert len(provinces) == 31
    assert provinces["河南省"] == 157


def test_units_roll_up_by_code():
    for u in reference.units().values():
        assert u.province_code == u.code[:2] + "0000"
        assert u.prefecture_code[:2] == u.code[:2]
        assert u.prefecture_code in (u.code[:4] + "00", u.code[:2] + "9000")
    jiyuan = reference.units()["419001"]
    assert (jiyuan.prefecture_code, jiyuan.prefecture_name) == ("419000", "省直辖县级行政区划")


def test_demo_prefecture_has_its_ten_units():
    jiaozuo = reference.units_of_prefecture("410800")
    assert sorted(u.name for u in jiaozuo) == sorted(
        [
            "解放区",
            "中站区",
            "马村区",
            "山阳区",
            "修武县",
            "博爱县",
            "武陟县",
            "温县",
            "沁阳市",
            "孟州市",
        ]
    )
    assert {u.prefecture_name for u in jiaozuo} == {"焦作市"}


def test_category_seeds_match_the_contract():
    with (reference.SEEDS / "ref_categories.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["category_l1"] for r in rows if r["is_risk_domain"] == "false"] == list(CATEGORIES)
    assert [r["category_l1"] for r in rows if r["is_risk_domain"] == "true"] == list(RISK_DOMAINS)
    with (reference.SEEDS / "ref_category_crosswalk.csv").open(encoding="utf-8") as fh:
        assert {r["old_name"]: r["category_l1"] for r in csv.DictReader(fh)} == CATEGORY_CROSSWALK
    assert len(CATEGORIES) == 19
    assert set(CATEGORY_CROSSWALK.values()) <= set(CATEGORIES)


def test_sensitive_calendar_has_lianghui_every_march():
    periods = reference.sensitive_periods()
    lianghui = {p.starts_on.year: p for p in periods if p.kind == "lianghui"}
    assert sorted(lianghui) == [2024, 2025, 2026, 2027]
    for p in lianghui.values():
        assert p.starts_on.month == 3 and p.starts_on <= p.ends_on
        assert "两会" in p.name
    assert all(p.starts_on <= p.ends_on for p in periods)
