"""Ledger freshness: which counties have sent nothing acceptable for too long.

Runs after every update of the marts and, in case the nightly run itself is failing, every day
at 09:00 (Asia/Shanghai). A unit is late when its newest accepted submission is older than
``XINFANG_LATE_AFTER_DAYS`` (35) days; late units are logged by name. See docs/operations.md.
"""

from __future__ import annotations

from airflow.sdk import DAG, Asset, AssetOrTimeSchedule, CronTriggerTimetable, task

from xinfang import pipeline
from xinfang.dag_defaults import MARTS_URI, START_DATE, TIMEZONE, default_args

with DAG(
    dag_id="ledger_freshness",
    description="Name the counties late with their ledgers",
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable("0 9 * * *", timezone=TIMEZONE), assets=[Asset(MARTS_URI)]
    ),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=["xinfang", "monitoring"],
    doc_md=__doc__,
):

    @task
    def freshness(dag_run=None) -> dict:
        return pipeline.freshness(dag_run.logical_date or dag_run.run_after)

    freshness()
