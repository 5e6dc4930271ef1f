"""The second gate, after dbt builds the marts and before any bulletin is published.

Reconciliation, read-only, in SQL against the dbt models (schemas ``staging``, ``marts``,
``reference``):

- ``facts.rows``: per unit, every fact table holds as many rows as the accepted staging rows it
  is built from, and staging as many as the raw layer's accepted current rows;
- ``rollups.sum``: a prefecture's and a province's counts, money, numerators and denominators
  in ``fct_bulletin_figures`` are the sums of their counties';
- ``rates.bounds``: every rate has 0 ≤ num ≤ den and a pct within 0–100 (null exactly when
  den = 0);
- ``units.known``: every unit in the figures is in the unit reference (``ref_units`` seed).

:func:`mart_gate` raises :class:`MartGateError` (reasons in Chinese and English) when any check
fails, so the publishing task stops and its log says why.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import duckdb

#: (fact, staging it is built from, filter on staging): per unit, equal row counts.
FACT_SOURCES: tuple[tuple[str, str, str], ...] = (
    ("marts.fct_petition_items", "staging.stg_ledgers__petitions", "true"),
    ("marts.fct_visits", "staging.stg_ledgers__petitions", "channel = '走访'"),
    ("marts.fct_risks", "staging.stg_ledgers__risks", "true"),
    ("marts.fct_backlog_cases", "staging.stg_ledgers__backlog", "true"),
    ("staging.stg_ledgers__petitions", "raw.petitions_current", "true"),
    ("staging.stg_ledgers__risks", "raw.risks_current", "true"),
    ("staging.stg_ledgers__backlog", "raw.backlog_current", "true"),
)
FIGURES = "marts.fct_bulletin_figures"
SAMPLE_ROWS = 10

_ROLLUPS = f"""
WITH parents AS (
    SELECT unit_code, prefecture_code AS parent_code FROM reference.ref_units
    UNION ALL
    SELECT unit_code, province_code FROM reference.ref_units
), summed AS (
    SELECT p.parent_code AS unit_code, f.report_month, f.window_name, f.indicator_id,
           sum(f.value) AS value, sum(f.num) AS num, sum(f.den) AS den
    FROM {FIGURES} AS f
    JOIN parents AS p ON f.unit_code = p.unit_code
    WHERE f.unit_level = 'county' AND f.value_type <> 'bool'
    GROUP BY ALL
)
SELECT s.unit_code, s.report_month, s.window_name, s.indicator_id,
       r.value AS rollup_value, s.value AS sum_of_counties, r.num AS rollup_num,
       s.num AS num_of_counties, r.den AS rollup_den, s.den AS den_of_counties
FROM summed AS s
JOIN {FIGURES} AS r USING (unit_code, report_month, window_name, indicator_id)
WHERE r.unit_level <> 'county'
  AND (s.value IS DISTINCT FROM r.value OR s.num IS DISTINCT FROM r.num
       OR s.den IS DISTINCT FROM r.den)
ORDER BY ALL
"""

_RATES = f"""
SELECT unit_code, report_month, window_name, indicator_id, num, den, pct
FROM {FIGURES}
WHERE value_type = 'rate'
  AND (num < 0 OR num > den OR pct < 0 OR pct > 100 OR (den = 0) IS DISTINCT FROM (pct IS NULL))
ORDER BY ALL
"""

_UNITS = f"""
WITH known AS (
    SELECT unit_code AS code FROM reference.ref_units
    UNION SELECT prefecture_code FROM reference.ref_units
    UNION SELECT province_code FROM reference.ref_units
)
SELECT DISTINCT unit_code, unit_level FROM {FIGURES}
WHERE unit_code NOT IN (SELECT code FROM known)
ORDER BY ALL
"""


@dataclass(frozen=True)
class MartCheck:
    check: str
    #: What must hold, in Chinese and English.
    rule_zh: str
    rule_en: str
    #: How many rows break it (0: passed), and the first of them.
    failures: int
    sample: tuple[dict[str, Any], ...]
    #: Why it could not be checked at all (a model is missing).
    error: str | None = None

    @property
    def passed(self) -> bool:
        return not self.failures and self.error is None

    @property
    def reason(self) -> str:
        if self.error:
            return f"{self.rule_zh}：无法核对（{self.error}） / {self.rule_en}: cannot check"
        return (
            f"{self.rule_zh}：{self.failures} 处不符 / {self.rule_en}: {self.failures} mismatches"
        )


@dataclass(frozen=True)
class MartGateResult:
    checks: tuple[MartCheck, ...]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def reasons(self) -> list[str]:
        return [c.reason for c in self.checks if not c.passed]

    def to_dict(self) -> dict[str, Any]:
        """JSON-able (an Airflow XCom)."""
        return {
            "passed": self.passed,
            "checks": [
                asdict(c) | {"passed": c.passed, "sample": [_jsonable(r) for r in c.sample]}
                for c in self.checks
            ],
        }


class MartGateError(RuntimeError):
    """The marts failed reconciliation: no bulletin may be published from them."""

    def __init__(self, result: MartGateResult) -> None:
        self.result = result
        lines = "\n".join(f"- {r}" for r in result.reasons)
        super().__init__(
            f"数据集市核对未通过，停止发布简报 / mart gate failed, no bulletin is "
            f"published:\n{lines}"
        )


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v if isinstance(v, int | float | str | bool | None) else str(v) for k, v in row.items()
    }


def _check(con: duckdb.DuckDBPyConnection, name: str, sql: str, zh: str, en: str) -> MartCheck:
    try:
        cursor = con.execute(sql)
    except duckdb.CatalogException as missing:
        return MartCheck(name, zh, en, 0, (), error=str(missing).splitlines()[0])
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    sample = tuple(dict(zip(names, r, strict=True)) for r in rows[:SAMPLE_ROWS])
    return MartCheck(name, zh, en, len(rows), sample)


def _fact_rows_sql(fact: str, source: str, where: str) -> str:
    return f"""
    WITH f AS (SELECT unit_code, count(*) AS n FROM {fact} GROUP BY ALL),
         s AS (SELECT unit_code, count(*) AS n FROM {source} WHERE {where} GROUP BY ALL)
    SELECT unit_code, coalesce(f.n, 0) AS model_rows, coalesce(s.n, 0) AS source_rows
    FROM f FULL JOIN s USING (unit_code)
    WHERE coalesce(f.n, 0) <> coalesce(s.n, 0)
    ORDER BY unit_code
    """


def mart_gate(con: duckdb.DuckDBPyConnection) -> MartGateResult:
    """Reconcile the marts; raises :class:`MartGateError` when any check fails."""
    checks = [
        _check(
            con,
            "facts.rows",
            _fact_rows_sql(fact, source, where),
            f"{fact} 各单位行数应等于 {source} 的已通过行数",
            f"{fact} rows per unit must equal the accepted rows of {source}",
        )
        for fact, source, where in FACT_SOURCES
    ]
    checks += [
        _check(
            con,
            "rollups.sum",
            _ROLLUPS,
            "地市、省级汇总的计数、金额、分子、分母应等于所辖县（市、区）之和",
            "roll-up counts, money, numerators and denominators must equal their counties' sum",
        ),
        _check(
            con,
            "rates.bounds",
            _RATES,
            "比率应在 0—100% 之间，分子不大于分母",
            "rates must lie within 0-100 % with 0 <= numerator <= denominator",
        ),
        _check(
            con,
            "units.known",
            _UNITS,
            "简报数据中的单位应均为已登记的报送单位",
            "every unit in the figures must be in the unit reference",
        ),
    ]
    result = MartGateResult(tuple(checks))
    if not result.passed:
        raise MartGateError(result)
    return result
