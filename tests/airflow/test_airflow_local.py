"""The embedded Airflow's settings: state under XINFANG_HOME, the project's DAGs, loopback only."""

from __future__ import annotations

from pathlib import Path

import pytest

import airflow  # noqa: F401  (imported, as in any process that already uses Airflow)
from xinfang import airflow_local
from xinfang.config import PROJECT_ROOT


def test_state_lives_under_xinfang_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XINFANG_HOME", str(tmp_path))
    monkeypatch.delenv("XINFANG_AIRFLOW_HOME", raising=False)
    env = airflow_local.environment(port=8123)
    assert env["AIRFLOW_HOME"] == str(tmp_path / "airflow")
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == f"sqlite:///{tmp_path}/airflow/airflow.db"
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == str(PROJECT_ROOT / "dags")
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"
    assert Path.home() / "airflow" not in map(Path, env.values())


def test_the_ui_and_the_execution_api_are_on_loopback(monkeypatch):
    monkeypatch.delenv("XINFANG_AIRFLOW_PARALLELISM", raising=False)
    env = airflow_local.environment(port=8123)
    assert env["AIRFLOW__API__HOST"] == "127.0.0.1"
    assert env["AIRFLOW__API__PORT"] == "8123"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:8123/execution/"
    assert env["AIRFLOW__CORE__PARALLELISM"] == "2"


def test_configure_refuses_an_airflow_already_configured_elsewhere(tmp_path, monkeypatch):
    monkeypatch.setenv("XINFANG_HOME", str(tmp_path))  # not where this process's Airflow lives
    with pytest.raises(RuntimeError, match="imported before"):
        airflow_local.configure()
