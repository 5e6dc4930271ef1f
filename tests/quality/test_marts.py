"""The mart gate: reconciliation after dbt, and a reason in Chinese and English when it fails."""

from __future__ import annotations

import json

import duckdb
import pytest

from xinfang.quality.marts import MartGateError, mart_gate

UNITS = [
    ("410883", "孟州市", "410800", "焦作市", "410000", "河南省"),
    ("410882", "沁阳市", "410800", "焦作市", "410000", "河南省"),
]
# (unit, level, indicator, value_type, value, num, den, pct)
FIGURES = [
    ("410883", "county", "items_total", "count", 12, None, None, None),
    ("410882", "county", "items_total", "count", 30, None, None, None),
    ("410800", "prefecture", "items_total", "count", 42, None, None, None),
    ("410000", "province", "items_total", "count", 42, None, None, None),
    ("410883", "county", "online_share", "rate", None, 3, 12, 25.0),
    ("410882", "county", "online_share", "rate", None, 0, 0, None),
    ("410800", "prefecture", "online_share", "rate", None, 3, 12, 25.0),
    ("410000", "province", "online_share", "rate", None, 3, 12, 25.0),
    ("410883", "county", "pyramid_ok", "bool", 1, None, None, None),
    ("410800", "prefecture", "pyramid_ok", "bool", 1, None, None, None),
]
# per unit: petition items (of which visits), risks, backlog cases
ROWS = {"410883": (12, 5, 3, 2), "410882": (30, 10, 0, 1)}


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for schema in ("reference", "raw", "staging", "marts"):
        con.execute(f"CREATE SCHEMA {schema}")
    con.execute(
        "CREATE TABLE reference.ref_units (unit_code VARCHAR, unit_name VARCHAR, "
        "prefecture_code VARCHAR, prefecture_name VARCHAR, province_code VARCHAR, "
        "province_name VARCHAR)"
    )
    con.executemany("INSERT INTO reference.ref_units VALUES (?, ?, ?, ?, ?, ?)", UNITS)
    con.execute(
        "CREATE TABLE marts.fct_bulletin_figures (unit_code VARCHAR, unit_level VARCHAR, "
        "report_month VARCHAR, window_name VARCHAR, indicator_id VARCHAR, value_type VARCHAR, "
        "value DECIMAL(18, 2), num BIGINT, den BIGINT, pct DECIMAL(9, 2))"
    )
    for window in ("month", "ytd"):
        con.executemany(
            "INSERT INTO marts.fct_bulletin_figures VALUES (?, ?, '2025-11', ?, ?, ?, ?, ?, ?, ?)",
            [(u, level, window, *rest) for u, level, *rest in FIGURES],
        )
    tables = {
        "petitions": (
            "raw.petitions_current",
            "staging.stg_ledgers__petitions",
            "marts.fct_petition_items",
        ),
        "risks": ("raw.risks_current", "staging.stg_ledgers__risks", "marts.fct_risks"),
        "backlog": (
            "raw.backlog_current",
            "staging.stg_ledgers__backlog",
            "marts.fct_backlog_cases",
        ),
    }
    for i, names in enumerate(tables.values()):
        for name in names:
            con.execute(f"CREATE TABLE {name} (unit_code VARCHAR, channel VARCHAR)")
            for unit, counts in ROWS.items():
                n = counts[0] if i == 0 else counts[i + 1]
                visits = counts[1] if i == 0 else 0
                con.execute(
                    f"INSERT INTO {name} SELECT ?, CASE WHEN g < ? THEN '走访' ELSE '来信' END "
                    "FROM range(?) AS t(g)",
                    [unit, visits, n],
                )
    con.execute(
        "CREATE TABLE marts.fct_visits AS "
        "SELECT unit_code FROM marts.fct_petition_items WHERE channel = '走访'"
    )
    return con


def failure(con: duckdb.DuckDBPyConnection) -> MartGateError:
    with pytest.raises(MartGateError) as raised:
        mart_gate(con)
    return raised.value


def test_reconciled_marts_pass(con):
    result = mart_gate(con)
    assert result.passed and len(result.checks) == 10
    assert json.loads(json.dumps(result.to_dict()))["passed"] is True


def test_a_fact_table_that_lost_rows_stops_publication(con):
    con.execute(
        "DELETE FROM marts.fct_visits WHERE rowid IN (SELECT min(rowid) FROM marts.fct_visits)"
    )
    error = failure(con)
    (check,) = [c for c in error.result.checks if not c.passed]
    assert check.check == "facts.rows"
    assert check.sample == ({"unit_code": "410883", "model_rows": 4, "source_rows": 5},)
    assert error.result.reasons == [
        "marts.fct_visits 各单位行数应等于 staging.stg_ledgers__petitions 的已通过行数：1 处不符 / "
        "marts.fct_visits rows per unit must equal the accepted rows of "
        "staging.stg_ledgers__petitions: 1 mismatches"
    ]
    assert str(error).startswith("数据集市核对未通过，停止发布简报 / mart gate failed")


def test_staging_must_hold_every_accepted_row(con):
    con.execute("INSERT INTO raw.risks_current VALUES ('410882', NULL)")
    (check,) = [c for c in failure(con).result.checks if not c.passed]
    assert check.sample == ({"unit_code": "410882", "model_rows": 0, "source_rows": 1},)


def test_a_rollup_that_is_not_the_sum_of_its_counties_stops_publication(con):
    con.execute(
        "UPDATE marts.fct_bulletin_figures SET num = 4 "
        "WHERE unit_code = '410000' AND indicator_id = 'online_share' AND window_name = 'ytd'"
    )
    (check,) = [c for c in failure(con).result.checks if not c.passed]
    assert check.check == "rollups.sum" and check.failures == 1
    assert check.sample[0]["unit_code"] == "410000"
    assert (check.sample[0]["rollup_num"], check.sample[0]["num_of_counties"]) == (4, 3)


def test_a_rate_out_of_bounds_stops_publication(con):
    con.execute(
        "UPDATE marts.fct_bulletin_figures SET pct = 125.0, num = 15 WHERE unit_code = '410883' "
        "AND indicator_id = 'online_share' AND window_name = 'month'"
    )
    checks = {c.check: c for c in failure(con).result.checks if not c.passed}
    assert checks["rates.bounds"].sample[0]["pct"] == 125
    assert "比率应在 0—100% 之间" in checks["rates.bounds"].reason
    # a rate with a zero denominator must have no pct
    con.execute("UPDATE marts.fct_bulletin_figures SET pct = 0 WHERE unit_code = '410882'")
    assert failure(con).result.checks[-2].failures == 1 + 2  # its month and ytd rows


def test_a_unit_unknown_to_the_reference_stops_publication(con):
    con.execute(
        "INSERT INTO marts.fct_bulletin_figures VALUES "
        "('999999', 'county', '2025-11', 'month', 'pyramid_ok', 'bool', 1, NULL, NULL, NULL)"
    )
    (check,) = [c for c in failure(con).result.checks if not c.passed]
    assert check.check == "units.known"
    assert check.sample == ({"unit_code": "999999", "unit_level": "county"},)


def test_a_missing_model_cannot_be_reconciled(con):
    con.execute("DROP TABLE marts.fct_visits")
    (check,) = [c for c in failure(con).result.checks if not c.passed]
    assert check.error and "fct_visits" in check.error
    assert "无法核对" in check.reason and "cannot check" in check.reason
