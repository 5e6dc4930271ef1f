"""The demo end to end through Airflow, and two nightly runs racing on one warehouse.

One small sample of the demo prefecture (three counties, 13 months, two nightly snapshots, and
every kind of bad submission the generator makes) is written once. ``xinfang run`` then takes
a copy of it through the embedded Airflow -- nightly, freshness and monthly DAGs, each with
``dag.test()`` -- to PDFs (fixtures ``sample`` and ``demo``, conftest.py); the assertions
below read what it left: the Airflow metadata database, the warehouse, the log and the reports,
against the generator's manifest.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from demo_run import MONTH, UNITS, copy_inbox, environment

from xinfang.synth import Manifest

pytestmark = pytest.mark.slow


def test_the_three_dags_ran_through_airflow_and_succeeded(demo):
    runs = demo.airflow("SELECT dag_id, state, triggered_by FROM dag_run ORDER BY id")
    assert runs == [
        ("nightly_ledgers", "success", "TEST"),
        ("ledger_freshness", "success", "TEST"),
        ("monthly_bulletins", "success", "TEST"),
    ]
    states = demo.airflow("SELECT DISTINCT state FROM task_instance")
    assert states == [("success",)]


def test_every_file_was_parsed_in_its_own_mapped_task(demo):
    labels = demo.airflow(
        "SELECT rendered_map_index FROM task_instance WHERE task_id = 'parse' AND map_index >= 0"
    )
    assert sorted(label for (label,) in labels) == sorted(f.path for f in demo.manifest.files)


def test_warehouse_writers_ran_in_the_writer_pool(demo):
    pools = dict(demo.airflow("SELECT task_id, pool FROM task_instance WHERE map_index < 0"))
    assert pools["promote"] == pools["build"] == "warehouse_writer"
    assert pools["discover"] == pools["mart_gate"] == "default_pool"


def test_the_marts_asset_was_updated_by_the_gate(demo):
    events = demo.airflow(
        "SELECT a.uri, e.source_task_id FROM asset_event e JOIN asset a ON a.id = e.asset_id"
    )
    assert events == [("xinfang://warehouse/marts", "mart_gate")]


def expected_registry(manifest: Manifest) -> list[tuple[str, str, str]]:
    """(unit, file name, outcome) of every file. Not the SHA-256: for a symlink the generator
    records its target's, ingestion the link's own."""
    return sorted((f.unit_code, f.path.split("/", 1)[1], f.expected) for f in manifest.files)


REGISTRY = "SELECT unit_code, file_name, outcome FROM raw.submissions"


def test_every_file_registered_once_with_its_expected_outcome(demo):
    assert sorted(demo.warehouse(REGISTRY)) == expected_registry(demo.manifest)


def test_accepted_rows_were_loaded_exactly_once(demo):
    for kind in ("petitions", "risks", "backlog"):
        (loaded,) = demo.warehouse(f"SELECT count(*) FROM raw.{kind}")[0]
        assert loaded == sum(f.rows for f in demo.manifest.good if f.ledger == kind), kind


def test_bad_files_are_named_in_the_log_and_on_the_terminal(demo):
    assert demo.manifest.bad
    for f in demo.manifest.bad:
        assert f"退回 {f.path}：" in demo.log
        assert f"退回 {f.path}：" in demo.result.stdout
    accepted = len(demo.manifest.good)
    assert f"{accepted} submissions accepted, {len(demo.manifest.bad)} rejected" in demo.log


def test_bulletins_for_every_county_and_the_prefecture(demo):
    printed = re.findall(r"^\s+(\S+\.pdf)$", demo.result.stdout, flags=re.MULTILINE)
    reports = demo.home / "reports"
    assert sorted(Path(p).name.split("-")[0] for p in printed) == sorted([*UNITS, "410800"])
    for pdf in map(Path, printed):
        assert pdf.parent == reports / MONTH
        assert pdf.read_bytes().startswith(b"%PDF-")
        figures = json.loads(pdf.with_suffix(".json").read_text(encoding="utf-8"))
        assert figures["period"] == MONTH
        assert figures["unit"]["code"] == pdf.name.split("-")[0]
    index = json.loads((reports / "index.json").read_text(encoding="utf-8"))["bulletins"]
    assert sorted(e["pdf"] for e in index) == sorted(f"{MONTH}/{Path(p).name}" for p in printed)


# ---------------------------------------------------------------------------------------------
# Two nightly runs started together
# ---------------------------------------------------------------------------------------------

RACER = """
import json
from xinfang import pipeline
outcome = pipeline.promote([pipeline.parse(p) for p in pipeline.discover()])
print(json.dumps({k: len(v) for k, v in outcome.items()}))
"""


def test_two_nightly_runs_started_together_load_each_file_once(sample, tmp_path):
    inbox, manifest = sample
    copy_inbox(inbox, tmp_path)
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER],
            env=environment(tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [r.communicate(timeout=600)[0] for r in racers]
    assert [r.returncode for r in racers] == [0, 0], outputs
    counts = sorted((json.loads(out.splitlines()[-1]) for out in outputs), key=lambda c: c["known"])
    files = len(manifest.files)
    # one loaded everything; the other waited for the write lock, then found it all there
    assert counts == [
        {"accepted": len(manifest.good), "rejected": len(manifest.bad), "known": 0},
        {"accepted": 0, "rejected": 0, "known": files},
    ]
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert sorted(con.execute(REGISTRY).fetchall()) == expected_registry(manifest)
        for kind in ("petitions", "risks", "backlog"):
            (loaded,) = con.execute(f"SELECT count(*) FROM raw.{kind}").fetchone()
            assert loaded == sum(f.rows for f in manifest.good if f.ledger == kind), kind
        (messages,) = con.execute(
            "SELECT count(*) FROM (SELECT DISTINCT * FROM raw.submission_messages)"
        ).fetchone()
        (total,) = con.execute("SELECT count(*) FROM raw.submission_messages").fetchone()
        assert messages == total  # no message recorded twice
