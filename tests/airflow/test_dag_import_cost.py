"""DAG files are parsed over and over by the DAG processor: they must stay cheap to import.

One interpreter imports ``airflow.sdk``, then forks once per DAG file, so every file is measured
from the same warm start: what it adds, in CPU time (wall time on a shared 2-core machine is
mostly other processes' noise), must stay under 0.5 s. None of the heavy libraries may be
imported at parse time.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from xinfang.airflow_local import DAGS_FOLDER

BUDGET_SECONDS = 0.5
DAG_FILES = ["ledger_freshness", "monthly_bulletins", "nightly_ledgers"]
HEAVY = ["pandas", "duckdb", "great_expectations", "dbt", "weasyprint", "matplotlib", "numpy"]
PROBE = """
import importlib.util, json, os, sys, time
import airflow.sdk
folder, heavy, files = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3:]
results = {}
for name in files:
    read, write = os.pipe()
    if os.fork() == 0:
        before = time.process_time()
        spec = importlib.util.spec_from_file_location(name, f"{folder}/{name}.py")
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
        cost = time.process_time() - before
        loaded = [m for m in heavy if m in sys.modules]
        os.write(write, json.dumps({"cost": cost, "loaded": loaded}).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        results[name] = json.loads(pipe.read())
    os.wait()
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def costs() -> dict[str, dict]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(DAGS_FOLDER), json.dumps(HEAVY), *DAG_FILES],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_every_dag_file_is_measured(costs):
    assert sorted(p.stem for p in DAGS_FOLDER.glob("*.py")) == DAG_FILES
    assert sorted(costs) == DAG_FILES


@pytest.mark.parametrize("dag_file", DAG_FILES)
def test_dag_file_adds_under_half_a_second(costs, dag_file):
    assert costs[dag_file]["cost"] < BUDGET_SECONDS, costs[dag_file]


@pytest.mark.parametrize("dag_file", DAG_FILES)
def test_dag_file_imports_nothing_heavy(costs, dag_file):
    assert costs[dag_file]["loaded"] == []
