"""``xinfang figures`` and ``xinfang build`` through the project's command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from xinfang.cli import main
from xinfang.figures import figures_for


def test_figures_prints_the_figures_file(
    hand_warehouse: Path, con: duckdb.DuckDBPyConnection, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["figures", "--unit", "410800", "--month", "2025-03",
                 "--warehouse", str(hand_warehouse)])  # fmt: skip
    assert code == 0
    assert json.loads(capsys.readouterr().out) == figures_for(con, "410800", "2025-03")


def test_figures_rejects_bad_input(
    hand_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["figures", "--warehouse", str(hand_warehouse)]
    assert main([*argv, "--unit", "999999", "--month", "2025-03"]) == 1
    assert "999999" in capsys.readouterr().err
    assert main([*argv, "--unit", "410883", "--month", "March"]) == 2
    missing = ["figures", "--warehouse", str(tmp_path / "none.duckdb")]
    assert main([*missing, "--unit", "410883", "--month", "2025-03"]) == 1


def test_build_summarises_and_fails_loudly(
    hand_warehouse: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the session build's target (not the project's): dbt parses only what changed
    monkeypatch.setenv("DBT_TARGET_PATH", str(hand_warehouse.parent / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    warehouse = tmp_path / "copy.duckdb"  # the session's mart may be open read-only
    shutil.copyfile(hand_warehouse, warehouse)
    assert main(["build", "--warehouse", str(warehouse), "--select", "dim_indicator"]) == 0
    assert "dbt build --select dim_indicator: OK" in capsys.readouterr().out
    empty = tmp_path / "empty.duckdb"  # no raw layer: the staging models cannot build
    duckdb.connect(str(empty)).close()
    assert main(["build", "--warehouse", str(empty), "--select", "stg_ledgers__submissions"]) == 1
    assert "ERROR model.xinfang.stg_ledgers__submissions" in capsys.readouterr().err
