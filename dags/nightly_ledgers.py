"""Nightly ledgers: new county files in the inbox -> warehouse -> marts.

Every night at 02:00 (Asia/Shanghai): discover new submissions; parse and validate each in its
own mapped task (in parallel; they never touch the warehouse, and a bad file comes back as a
rejection with the clerk's messages, so it fails nobody else); promote them one by one in the
single-slot ``warehouse_writer`` pool; ``dbt build`` in one process; the marts' gate; then the
``xinfang://warehouse/marts`` asset is updated for the DAGs that follow it, and the warehouse's
raw layer is backed up (a reader: not in the writers' pool). See docs/operations.md.
"""

from __future__ import annotations

from airflow.sdk import DAG, Asset, CronTriggerTimetable, task

from xinfang import pipeline
from xinfang.dag_defaults import (
    MARTS_URI,
    START_DATE,
    TIMEZONE,
    default_args,
    warehouse_writer,
)

with DAG(
    dag_id="nightly_ledgers",
    description="Ingest, validate and load the counties' ledger files; rebuild the marts",
    schedule=CronTriggerTimetable("0 2 * * *", timezone=TIMEZONE),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=["xinfang", "nightly", "ingestion"],
    doc_md=__doc__,
):

    @task
    def discover() -> list[dict]:
        return pipeline.discover()

    @task(map_index_template="{{ task.op_kwargs['candidate']['label'] }}")
    def parse(candidate: dict) -> dict | None:
        return pipeline.parse(candidate)

    @task(trigger_rule="all_done", **warehouse_writer())
    def promote(parsed: list[dict]) -> dict:
        return pipeline.promote(parsed)

    @task(**warehouse_writer())
    def build() -> dict:
        return pipeline.build()

    @task(outlets=[Asset(MARTS_URI)])
    def mart_gate() -> dict:
        return pipeline.mart_gate()

    @task
    def backup() -> dict:
        return pipeline.backup()

    promote(parse.expand(candidate=discover())) >> build() >> mart_gate() >> backup()
