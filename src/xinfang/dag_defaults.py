"""What every xinfang DAG shares: owner, retries, failure alerts, the writer pool and queue.

Imported by the DAG files at parse time, so it imports nothing heavy. The knobs come from the
environment so one set of DAG files serves the embedded demo and production:

- ``XINFANG_TASK_RETRIES`` (default 2) and ``XINFANG_RETRY_DELAY_SECONDS`` (default 300): the
  first retry waits the delay, each next one twice as long, never more than an hour.
- ``XINFANG_WAREHOUSE_QUEUE`` (default ``default``): the queue of every task that writes the
  warehouse. Production sets ``warehouse``, served by one dedicated single-slot worker; the
  local executor has no queues and ignores it.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

from xinfang.alerts import notify_failure

TIMEZONE = "Asia/Shanghai"
OWNER = "xinfang-platform"
#: The Airflow pool of warehouse writers: one slot, so writes never overlap.
WAREHOUSE_POOL = "warehouse_writer"
#: The asset the nightly run updates once the marts pass their gate.
MARTS_URI = "xinfang://warehouse/marts"
#: A fixed past date: the schedules below are what decides when runs happen.
START_DATE = datetime.fromisoformat("2026-01-01T00:00:00+08:00")


def default_args() -> dict[str, Any]:
    return {
        "owner": OWNER,
        "retries": int(os.environ.get("XINFANG_TASK_RETRIES", "2")),
        "retry_delay": timedelta(seconds=float(os.environ.get("XINFANG_RETRY_DELAY_SECONDS", 300))),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(hours=1),
        "on_failure_callback": notify_failure,
    }


def warehouse_writer() -> dict[str, Any]:
    """Task arguments of a task that writes the warehouse."""
    return {"pool": WAREHOUSE_POOL, "queue": os.environ.get("XINFANG_WAREHOUSE_QUEUE", "default")}
