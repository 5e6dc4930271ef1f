"""The same dbt project builds on PostgreSQL (dbt-postgres) to the same marts, row for row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from postgres_mirror import PostgresUnavailable, Server, copy_raw_layer, local_server

from xinfang.build import BuildResult, run_dbt

COMPARED = {
    "marts.fct_bulletin_figures": "unit_code, report_month, window_name, indicator_id",
    "marts.fct_bulletin_changes": "unit_code, report_month, change_id, indicator_id",
    "marts.dim_indicator": "indicator_id",
    "marts.dim_unit": "unit_code",
    "marts.fct_petition_items": "petition_key",
    "intermediate.int_petitions__status_history": "petition_key, version_number",
}


@pytest.fixture(scope="module")
def postgres() -> Iterator[Server]:
    try:
        with local_server() as server:
            yield server
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL cannot be installed or started here: {exc}")


@pytest.fixture(scope="module")
def postgres_build(
    postgres: Server, mart: duckdb.DuckDBPyConnection, tmp_path_factory: pytest.TempPathFactory
) -> BuildResult:
    copied = copy_raw_layer(mart, postgres)
    assert copied["petitions_current"] == 16 + 5 + 2
    with pytest.MonkeyPatch.context() as patch:
        for name, value in postgres.env().items():
            patch.setenv(name, value)
        return run_dbt(
            ["build"], target="postgres", target_path=tmp_path_factory.mktemp("pg_target")
        )


def test_postgres_build_passes_unit_and_data_tests(
    postgres_build: BuildResult, hand_build: tuple[Path, BuildResult]
) -> None:
    assert postgres_build.success, postgres_build.summary()
    _, duck = hand_build
    assert postgres_build.counts == duck.counts  # same nodes, same outcomes


@pytest.mark.parametrize("relation", sorted(COMPARED))
def test_marts_equal_row_for_row(
    relation: str,
    postgres_build: BuildResult,
    postgres: Server,
    mart: duckdb.DuckDBPyConnection,
) -> None:
    assert postgres_build.success, postgres_build.summary()
    columns = [name for name, *_ in mart.execute(f"DESCRIBE {relation}").fetchall()]
    select = ", ".join(f'"{c}"' for c in columns)
    query = f"SELECT {select} FROM {relation} ORDER BY {COMPARED[relation]}"
    expected = mart.execute(query).fetchall()
    pg = postgres.connect()
    try:
        with pg.cursor() as cur:
            cur.execute(query)
            actual = cur.fetchall()
    finally:
        pg.close()
    assert len(actual) == len(expected) > 0
    assert actual == expected
