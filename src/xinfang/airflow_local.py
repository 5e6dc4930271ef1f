"""The embedded local Airflow: the project's DAGs run by a real Airflow with nothing to install.

State lives under ``<XINFANG_HOME>/airflow`` (``XINFANG_AIRFLOW_HOME`` overrides it): a SQLite
metadata database migrated on first use, the ``warehouse_writer`` pool, logs. Never the user's
``~/airflow``. Two ways in:

- :func:`run_dag`: one DAG run in this process with ``dag.test()`` (what ``xinfang run`` does);
- :func:`start_group` / :func:`stop_group`: ``airflow standalone`` (scheduler, DAG processor,
  triggerer, API server and UI, what ``xinfang ui`` starts) in its own process group, stopped
  with SIGINT to all of it.

Airflow reads its configuration when it is first imported, so :func:`configure` must run before
anything imports ``airflow`` in this process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from xinfang.config import PROJECT_ROOT
from xinfang.dag_defaults import WAREHOUSE_POOL

DAGS_FOLDER = PROJECT_ROOT / "dags"
UI_HOST = "127.0.0.1"


def airflow_home() -> Path:
    var = Path(os.environ.get("XINFANG_HOME", PROJECT_ROOT / "var"))
    return Path(os.environ.get("XINFANG_AIRFLOW_HOME", var / "airflow")).resolve()


def environment(*, port: int = 8080) -> dict[str, str]:
    """The Airflow settings of the embedded instance, as environment variables."""
    home = airflow_home()
    # standalone starts this many LocalExecutor workers (~150 MB each): keep it small
    parallelism = os.environ.get("XINFANG_AIRFLOW_PARALLELISM", "2")
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": parallelism,
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__API__HOST": UI_HOST,
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": f"http://{UI_HOST}:{port}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://{UI_HOST}:{port}/execution/",
    }


def configure(*, port: int = 8080) -> Path:
    """Point this process's Airflow at the embedded instance; returns its home."""
    env = environment(port=port)
    if "airflow" in sys.modules and os.environ.get("AIRFLOW_HOME") != env["AIRFLOW_HOME"]:
        raise RuntimeError("airflow was imported before xinfang.airflow_local.configure()")
    os.environ.update(env)
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    return home


def prepare() -> None:
    """Migrate the metadata database (a no-op when current) and create the writer pool."""
    from airflow.models.pool import Pool
    from airflow.utils import db

    db.upgradedb()
    Pool.create_or_update_pool(
        WAREHOUSE_POOL,
        slots=1,
        description="tasks that write the DuckDB warehouse: one at a time",
        include_deferred=False,
    )


@dataclass(frozen=True)
class DagRunResult:
    dag_id: str
    run_id: str
    state: str
    task_states: dict[str, int]  # state -> task instances
    failed_tasks: tuple[str, ...]  # "<task_id>" or "<task_id>[<map_index>]"
    returns: dict[str, list[Any]] = field(default_factory=dict)  # task_id -> return values

    @property
    def succeeded(self) -> bool:
        return self.state == "success"


def run_dag(
    dag_id: str, *, run_after: datetime, conf: Mapping[str, Any] | None = None
) -> DagRunResult:
    """Run one DAG run to completion in this process (``dag.test()``) and collect its outcome."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(DAGS_FOLDER)
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    dag = bag.get_dag(dag_id)
    run = dag.test(run_after=run_after, logical_date=None, run_conf=dict(conf or {}))
    return _collect(dag_id, run.run_id)


def _collect(dag_id: str, run_id: str) -> DagRunResult:
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        run = session.scalars(
            select(DagRun).where(DagRun.dag_id == dag_id, DagRun.run_id == run_id)
        ).one()
        tis = session.scalars(
            select(TaskInstance).where(TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id)
        ).all()
        states: dict[str, int] = {}
        failed: list[str] = []
        for ti in tis:
            state = _state(ti.state)
            states[state] = states.get(state, 0) + 1
            if state in ("failed", "upstream_failed"):
                failed.append(ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]")
        returns: dict[str, list[Any]] = {}
        query = XComModel.get_many(run_id=run_id, dag_ids=dag_id, key="return_value")
        for xcom in sorted(session.scalars(query).all(), key=lambda x: (x.task_id, x.map_index)):
            returns.setdefault(xcom.task_id, []).append(XComModel.deserialize_value(xcom))
        return DagRunResult(
            dag_id, run_id, _state(run.state), states, tuple(sorted(failed)), returns
        )


def _state(state: Any) -> str:
    """A state as its plain name (the ORM gives enum members or strings, or None)."""
    return str(getattr(state, "value", state or "none"))


@contextmanager
def output_to(log_file: Path):
    """Send this process's stdout and stderr (Airflow's console logging) to ``log_file``.

    Works on the file descriptors, so loggers configured before the redirect follow it too.
    Yields a writer to the real standard output, for progress lines.
    """
    log_file.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = (os.dup(1), os.dup(2))
    terminal = os.fdopen(os.dup(saved[0]), "w", buffering=1, encoding="utf-8")
    with log_file.open("a", encoding="utf-8") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield terminal
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
            terminal.close()


def _child_default_sigint() -> None:
    """In the child: a new session with default SIGINT (a shell's ``&`` would ignore it)."""
    os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def stop_group(process: subprocess.Popen[bytes], *, grace: float = 60.0) -> int:
    """Stop a process group the way ``airflow standalone`` stops cleanly: SIGINT to all of it.

    SIGTERM to the parent alone would orphan its components. Whatever is left of the group
    after ``grace`` seconds -- the parent gone or not: a LocalExecutor worker ignores SIGINT
    and waits for its scheduler's word, which may never come -- gets SIGTERM, then SIGKILL.
    """
    pgid = process.pid
    for sig, wait in ((signal.SIGINT, grace), (signal.SIGTERM, min(grace, 10.0)),
                      (signal.SIGKILL, 10.0)):  # fmt: skip
        if not _group_alive(pgid):
            break
        os.killpg(pgid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            process.poll()  # reap our own child, so that it does not keep the group alive
            if not _group_alive(pgid):
                break
            time.sleep(0.2)
    return process.wait()


def start_group(command: Sequence[str], env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    """Start ``command`` in its own process group, with the venv's ``bin`` first on PATH."""
    bin_dir = str(Path(sys.executable).parent)
    path = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])
    return subprocess.Popen(
        list(command), env={**os.environ, **env, "PATH": path}, preexec_fn=_child_default_sigint
    )


def password_file() -> Path:
    return airflow_home() / "simple_auth_manager_passwords.json.generated"
