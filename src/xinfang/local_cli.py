"""``xinfang run`` and ``xinfang ui``: the project through a real, embedded Airflow.

``xinfang run`` goes from a fresh clone to bulletins: sample ledgers when the inbox is empty, then
the nightly DAG (ingest, validate, load, dbt, gate), the freshness check and the monthly DAG
(bulletins), each run by Airflow with ``dag.test()`` against a SQLite metadata database under
``var/airflow``. Airflow's own output goes to a log file; the terminal gets a summary.

``xinfang ui`` starts ``airflow standalone`` on 127.0.0.1 with the project's DAGs, for looking
at runs and triggering them by hand; Ctrl-C stops all of it.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from xinfang import airflow_local, pipeline
from xinfang.config import Settings, pii_key


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--month",
        type=pipeline.parse_month,
        help="bulletin month YYYY-MM (default: the latest month of the accepted ledgers)",
    )


def add_ui_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8080, help="UI port on 127.0.0.1")


def _run_one(
    terminal: TextIO, dag_id: str, conf: dict[str, Any] | None = None
) -> airflow_local.DagRunResult:
    print(f"  {dag_id} ...", file=terminal, flush=True)
    started = datetime.now(UTC)
    result = airflow_local.run_dag(dag_id, run_after=started, conf=conf)
    seconds = (datetime.now(UTC) - started).total_seconds()
    print(f"  {dag_id}: {result.state} in {seconds:.0f} s ({result.run_id})", file=terminal)
    for task in result.failed_tasks:
        print(f"    failed: {task}", file=terminal)
    return result


def _report_nightly(terminal: TextIO, result: airflow_local.DagRunResult) -> None:
    for outcome in result.returns.get("promote", []):
        print(f"    {pipeline.describe_promotion(outcome)}", file=terminal)
        for line in pipeline.rejection_lines(outcome):
            print(f"      {line}", file=terminal)


def _report_freshness(terminal: TextIO, result: airflow_local.DagRunResult) -> None:
    for report in result.returns.get("freshness", []):
        for line in pipeline.freshness_lines(report):
            print(f"    {line}", file=terminal)


def _report_monthly(terminal: TextIO, result: airflow_local.DagRunResult) -> list[Path]:
    for report in result.returns.get("completeness", []):
        for line in pipeline.completeness_lines(report):
            print(f"    {line}", file=terminal)
    return [Path(p) for batch in result.returns.get("render", []) for p in batch]


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    # A failing demo should say so at once rather than wait out production's retry delays.
    os.environ.setdefault("XINFANG_TASK_RETRIES", "0")
    if pipeline.inbox_is_empty(settings):
        print(f"The inbox {settings.inbox} is empty: writing sample ledgers (xinfang synth).")
        pipeline.write_samples(settings)
    pii_key()  # the demo key, if any, is created here rather than raced for by parallel tasks
    home = airflow_local.configure()
    log_file = home / "logs" / f"xinfang-run-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.log"
    print(f"Airflow home {home}; Airflow's output goes to {log_file}")
    with airflow_local.output_to(log_file) as terminal:
        airflow_local.prepare()
        nightly = _run_one(terminal, "nightly_ledgers")
        _report_nightly(terminal, nightly)
        if not nightly.succeeded:
            print(f"The nightly run failed; see {log_file}", file=terminal)
            return 1
        _report_freshness(terminal, _run_one(terminal, "ledger_freshness"))
        month = args.month or pipeline.latest_month(settings)
        monthly = _run_one(terminal, "monthly_bulletins", {"month": month})
        pdfs = _report_monthly(terminal, monthly)
    if not monthly.succeeded:
        print(f"The monthly run failed; see {log_file}")
        return 1
    print(f"{len(pdfs)} bulletins for {month} in {settings.reports}:")
    for pdf in sorted(pdfs):
        print(f"  {pdf}")
    return 0


def ui(args: argparse.Namespace) -> int:
    pii_key()
    airflow_local.configure(port=args.port)
    airflow_local.prepare()
    process = airflow_local.start_group(
        ["airflow", "standalone"], airflow_local.environment(port=args.port)
    )

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(
        f"Airflow UI: http://{airflow_local.UI_HOST}:{args.port} once it says 'Airflow is ready'"
        f" (user admin, password in {airflow_local.password_file()}). The DAGs start paused:"
        " trigger or unpause them there. Ctrl-C stops everything.",
        file=sys.stderr,
    )
    try:
        return process.wait()
    except KeyboardInterrupt:
        print("Stopping Airflow ...", file=sys.stderr)
        return airflow_local.stop_group(process)
