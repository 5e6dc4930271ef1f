"""One dbt build of the hand-built warehouse per session, shared by the tests of this folder
(and reused by tests/figures when they run in the same session)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from hand_case import BUILT, hand_case_dir, write_hand_case

from xinfang.build import BuildResult, run_dbt


@pytest.fixture(scope="session")
def hand_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    root = hand_case_dir(tmp_path_factory.getbasetemp())
    if root.exists():  # tests/figures built (models only) and may hold it open
        root = tmp_path_factory.mktemp("hand_case_full")
    else:
        root.mkdir()
    warehouse = root / "warehouse.duckdb"
    write_hand_case(warehouse)
    result = run_dbt(["build"], warehouse=warehouse, target_path=root / "target")
    if result.success:
        (root / BUILT).touch()
    return warehouse, result


@pytest.fixture(scope="session")
def mart(hand_build: tuple[Path, BuildResult]) -> Iterator[duckdb.DuckDBPyConnection]:
    warehouse, result = hand_build
    assert result.success, result.summary()
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con
    con.close()
