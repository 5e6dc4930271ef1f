"""The hand-built warehouse of tests/dbt/hand_case.py: the session's build of tests/dbt when
there is one, else built here once (models only)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import duckdb
import pytest

from xinfang.build import run_dbt


def _hand_case() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "dbt" / "hand_case.py"
    spec = importlib.util.spec_from_file_location("xinfang_hand_case", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


hand_case = _hand_case()


@pytest.fixture(scope="session")
def hand_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = hand_case.hand_case_dir(tmp_path_factory.getbasetemp())
    warehouse = root / "warehouse.duckdb"
    if (root / hand_case.BUILT).exists():
        return warehouse
    root.mkdir()
    hand_case.write_hand_case(warehouse)
    result = run_dbt(
        ["build", "--exclude-resource-type", "unit_test", "--exclude-resource-type", "test"],
        warehouse=warehouse,
        target_path=root / "target",
    )
    assert result.success, result.summary()
    (root / hand_case.BUILT).touch()
    return warehouse


@pytest.fixture(scope="session")
def con(hand_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(hand_warehouse), read_only=True)
    yield connection
    connection.close()
