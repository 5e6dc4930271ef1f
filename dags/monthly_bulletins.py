"""Monthly bulletins: every unit's 信访工作月报 for the previous month.

On the 5th at 08:00 (Asia/Shanghai), for the month before the run's date on the Shanghai
calendar (a cron trigger schedule has no data interval). Trigger it with ``{"month": "YYYY-MM"}``
to issue, re-issue or backfill any month. Checks which units' ledgers cover the month (the
others are named here and in their bulletins), renders and issues the bulletins in parallel
batches from the read-only warehouse (each recorded in ``reports/index.json``; a changed
re-issue keeps the earlier one as a revision), then checks the index is complete.
See docs/operations.md.
"""

from __future__ import annotations

from airflow.sdk import DAG, CronTriggerTimetable, Param, task

from xinfang import pipeline
from xinfang.dag_defaults import START_DATE, TIMEZONE, default_args

with DAG(
    dag_id="monthly_bulletins",
    description="Render the monthly bulletins of every unit",
    schedule=CronTriggerTimetable("0 8 5 * *", timezone=TIMEZONE),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=["xinfang", "monthly", "bulletins"],
    doc_md=__doc__,
    params={
        "month": Param(
            None,
            type=["null", "string"],
            pattern=pipeline.MONTH.pattern,
            description="YYYY-MM; empty: the month before the run's date (Asia/Shanghai)",
        ),
    },
):

    @task
    def reporting_month(params=None, dag_run=None) -> str:
        return pipeline.reporting_month(params["month"], dag_run.logical_date, dag_run.run_after)

    @task
    def completeness(month: str) -> dict:
        return pipeline.completeness(month)

    @task
    def plan(coverage: dict) -> list[list[str]]:
        return pipeline.batches(coverage["units"])

    @task(map_index_template="{{ task.op_kwargs['units'] | length }} units")
    def render(month: str, units: list[str]) -> list[str]:
        return pipeline.render(month, units)

    @task
    def record_issue(month: str, rendered: list[list[str]]) -> dict:
        return pipeline.record_issue(month, rendered)

    month = reporting_month()
    rendered = render.partial(month=month).expand(units=plan(completeness(month)))
    record_issue(month, rendered)
