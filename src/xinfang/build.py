"""Run the dbt project in-process (dbtRunner): one writer, no per-call CLI start-up cost.

The project and its committed profile live in ``dbt_project/``. The ``duckdb`` target writes the
warehouse file of ``Settings.warehouse`` (``XINFANG_WAREHOUSE``); nothing else may hold it open
meanwhile. The ``postgres`` target reads ``XINFANG_PG_*`` (see ``dbt_project/profiles.yml``).

    xinfang build [--select SELECTOR] [--target duckdb|postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xinfang.config import PROJECT_ROOT, Settings

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
TARGETS = ("duckdb", "postgres")
_FAILED = frozenset({"error", "fail", "runtime error", "skipped"})


class BuildError(RuntimeError):
    """dbt reported a failure; the message is the build summary."""


@dataclass(frozen=True)
class NodeOutcome:
    unique_id: str
    status: str  # dbt's NodeStatus value: success, pass, warn, fail, error, skipped, no-op
    message: str | None
    seconds: float


@dataclass(frozen=True)
class BuildResult:
    """What one dbt invocation did: its success and every node's outcome."""

    command: str
    success: bool
    seconds: float
    nodes: tuple[NodeOutcome, ...] = ()
    exception: str | None = None

    @property
    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(n.status for n in self.nodes).items()))

    @property
    def problems(self) -> list[NodeOutcome]:
        """Failed, erroneous, skipped and warning nodes, in run order."""
        return [n for n in self.nodes if n.status in _FAILED or n.status == "warn"]

    def summary(self) -> str:
        tally = ", ".join(f"{status}={n}" for status, n in self.counts.items()) or "no nodes"
        state = "OK" if self.success else "FAILED"
        lines = [f"dbt {self.command}: {state} in {self.seconds:.1f} s ({tally})"]
        lines += [f"  {n.status.upper()} {n.unique_id}: {n.message or ''}" for n in self.problems]
        if self.exception:
            lines.append(f"  {self.exception}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable (an Airflow XCom)."""
        return {
            "command": self.command,
            "success": self.success,
            "seconds": round(self.seconds, 3),
            "counts": self.counts,
            "problems": [
                {"node": n.unique_id, "status": n.status, "message": n.message}
                for n in self.problems
            ],
            "exception": self.exception,
        }


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _release_duckdb() -> None:
    """Close the warehouse connection dbt-duckdb keeps open after a run.

    ``keep_open: true`` (profiles.yml) saves a reopen and a checkpoint per node (a third of a
    demo-scale run); closing it here frees the file for the next reader or writer, in this
    process too.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    try:
        environment = DuckDBConnectionManager.env()
    except Exception:  # no duckdb run in this process (postgres target, parse errors)
        return
    environment.close()
    DuckDBConnectionManager.close_all_connections()


def run_dbt(
    args: Sequence[str],
    *,
    warehouse: Path | None = None,
    target: str = "duckdb",
    target_path: Path | None = None,
    dbt_vars: Mapping[str, Any] | None = None,
) -> BuildResult:
    """Invoke ``dbt <args>`` on the project with its committed profile; never raises for dbt.

    ``warehouse`` overrides ``XINFANG_WAREHOUSE`` for the duckdb target; ``target_path`` keeps
    compiled files and logs out of the project (tests, benchmarks).
    """
    from dbt.cli.main import dbtRunner

    argv = [*args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    argv += ["--target", target]
    if target_path is not None:
        argv += ["--target-path", str(target_path), "--log-path", str(target_path / "logs")]
    if dbt_vars:
        argv += ["--vars", json.dumps(dict(dbt_vars), ensure_ascii=False)]
    env = {"XINFANG_WAREHOUSE": str(warehouse)} if warehouse is not None else {}
    started = time.perf_counter()
    with _environment(env):
        try:
            outcome = dbtRunner().invoke(argv)
        finally:
            _release_duckdb()
    results = getattr(outcome.result, "results", None) or ()
    return BuildResult(
        command=" ".join(args),
        success=bool(outcome.success),
        seconds=time.perf_counter() - started,
        nodes=tuple(
            NodeOutcome(r.node.unique_id, str(r.status), r.message, r.execution_time)
            for r in results
        ),
        exception=str(outcome.exception) if outcome.exception else None,
    )


def build(
    settings: Settings | None = None,
    *,
    select: str | None = None,
    target: str = "duckdb",
    target_path: Path | None = None,
    dbt_vars: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``dbt build`` (seeds, models, unit tests, data tests in DAG order) of the warehouse.

    Returns the result as a JSON-serialisable dict; raises ``BuildError`` when dbt fails.
    """
    settings = settings or Settings.from_env()
    args = ["build", *(["--select", select] if select else [])]
    result = run_dbt(
        args,
        warehouse=settings.warehouse,
        target=target,
        target_path=target_path,
        dbt_vars=dbt_vars,
    )
    if not result.success:
        raise BuildError(result.summary())
    return result.as_dict()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--select", help="dbt node selection (default: everything)")
    parser.add_argument("--target", choices=TARGETS, default="duckdb")
    parser.add_argument(
        "--warehouse", type=Path, help="DuckDB warehouse file (default: XINFANG_WAREHOUSE)"
    )


def run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    warehouse = args.warehouse or settings.warehouse
    result = run_dbt(
        ["build", *(["--select", args.select] if args.select else [])],
        warehouse=warehouse,
        target=args.target,
    )
    print(result.summary(), file=sys.stdout if result.success else sys.stderr)
    return 0 if result.success else 1
