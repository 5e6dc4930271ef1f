"""The DAG files: they import, and they say what the operations guide promises."""

from __future__ import annotations

import pytest
from airflow.dag_processing.dagbag import DagBag
from airflow.sdk import Asset, AssetOrTimeSchedule, CronTriggerTimetable

from xinfang.airflow_local import DAGS_FOLDER
from xinfang.alerts import notify_failure
from xinfang.dag_defaults import MARTS_URI, WAREHOUSE_POOL, warehouse_writer

DAG_IDS = {"nightly_ledgers", "monthly_bulletins", "ledger_freshness"}
WRITERS = {("nightly_ledgers", "promote"), ("nightly_ledgers", "build")}


@pytest.fixture(scope="module")
def dags():
    bag = DagBag(DAGS_FOLDER, known_pools={"default_pool", WAREHOUSE_POOL})
    assert bag.import_errors == {}
    return bag.dags


def test_the_three_dags_are_there(dags):
    assert set(dags) == DAG_IDS


@pytest.mark.parametrize("dag_id", sorted(DAG_IDS))
def test_owner_tags_retries_and_alerts(dags, dag_id):
    dag = dags[dag_id]
    assert dag.max_active_runs == 1
    assert not dag.catchup
    assert "xinfang" in dag.tags and len(dag.tags) >= 2
    assert dag.doc_md
    for task in dag.tasks:
        assert task.owner == "xinfang-platform"
        assert task.retries == 2
        assert task.retry_delay.total_seconds() == 300
        assert task.retry_exponential_backoff == 2.0
        assert task.max_retry_delay.total_seconds() == 3600
        callbacks = task.on_failure_callback
        assert notify_failure in (callbacks if isinstance(callbacks, list) else [callbacks])


@pytest.mark.parametrize(
    ("dag_id", "cron"),
    [("nightly_ledgers", "0 2 * * *"), ("monthly_bulletins", "0 8 5 * *")],
)
def test_cron_schedules_run_on_shanghai_time(dags, dag_id, cron):
    timetable = dags[dag_id].timetable
    assert isinstance(timetable, CronTriggerTimetable)
    assert timetable.expression == cron
    assert str(timetable.timezone) == "Asia/Shanghai"


def test_freshness_follows_the_marts_asset_and_runs_daily(dags):
    timetable = dags["ledger_freshness"].timetable
    assert isinstance(timetable, AssetOrTimeSchedule)
    assert list(timetable.asset_condition.objects) == [Asset(MARTS_URI)]
    assert timetable.timetable.expression == "0 9 * * *"
    assert str(timetable.timetable.timezone) == "Asia/Shanghai"


def test_exactly_the_warehouse_writers_use_the_pool_and_queue(dags):
    writer = warehouse_writer()
    for dag in dags.values():
        for task in dag.tasks:
            if (dag.dag_id, task.task_id) in WRITERS:
                assert (task.pool, task.queue) == (WAREHOUSE_POOL, writer["queue"])
            else:
                assert task.pool == "default_pool", task.task_id
                assert task.queue == "default", task.task_id


def test_writer_queue_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("XINFANG_WAREHOUSE_QUEUE", "warehouse")
    assert warehouse_writer() == {"pool": WAREHOUSE_POOL, "queue": "warehouse"}
    monkeypatch.delenv("XINFANG_WAREHOUSE_QUEUE")
    assert warehouse_writer()["queue"] == "default"


def test_nightly_shape(dags):
    dag = dags["nightly_ledgers"]
    parse = dag.get_task("parse")
    assert parse.is_mapped  # one task per submission, run in parallel
    assert parse.upstream_task_ids == {"discover"}
    # a parse task that crashes loses only its own file: promote runs for the others
    assert dag.get_task("promote").trigger_rule == "all_done"
    assert dag.get_task("promote").upstream_task_ids == {"parse"}
    assert dag.get_task("build").upstream_task_ids == {"promote"}
    gate = dag.get_task("mart_gate")
    assert gate.upstream_task_ids == {"build"}
    assert gate.outlets == [Asset(MARTS_URI)]
    # the backup reads what the writers finished and the gate passed
    assert dag.get_task("backup").upstream_task_ids == {"mart_gate"}


def test_monthly_shape_and_params(dags):
    dag = dags["monthly_bulletins"]
    assert dag.get_task("render").is_mapped
    assert dag.get_task("render").upstream_task_ids == {"plan", "reporting_month"}
    assert dag.get_task("record_issue").upstream_task_ids == {"render", "reporting_month"}
    month = dag.params.get_param("month")
    assert month.value is None
    month.resolve("2026-10")
    with pytest.raises(ValueError):
        month.resolve("2026-13")
