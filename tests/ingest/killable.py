"""Ingestion entry points run in child processes, each stopped at a chosen point to be killed.

A warm parent (``python killable.py``) imports the package and Great Expectations once, then
for every JSON line on its stdin forks a child that runs one entry point and answers the child's
pid, then, once the child has ended, its exit code (negative: killed by that signal). A line:

    {"point": "MODULE:FUNCTION:before|after:N", "ready": PATH, "log": PATH, "env": {...},
     "entry": ["cli", ARG, ...] | ["parse", CANDIDATE_JSON] | ["promote", SUMMARIES_JSON]}

In the child, the N-th call of ``MODULE.FUNCTION`` (``FUNCTION`` may be ``Class.method``) is
wrapped: just before it or just after it returns, the child writes its pid to ``ready`` and
sleeps until the test sends SIGKILL. Nothing in the package knows about this: the function is
patched in the child only. Entries: ``cli`` is ``xinfang ARG ...`` (e.g. ``ingest``); ``parse``
and ``promote`` are the nightly DAG's tasks of that name. The child's output goes to ``log``.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any


def _stop_here(ready: Path) -> None:
    tmp = ready.with_name(ready.name + ".tmp")
    tmp.write_text(str(os.getpid()))
    tmp.replace(ready)
    while True:
        time.sleep(60)


def pause_at(point: str, ready: Path) -> None:
    module_name, name, when, nth = point.split(":")
    assert when in ("before", "after"), point
    owner: Any = importlib.import_module(module_name)
    *path, attribute = name.split(".")
    for part in path:
        owner = getattr(owner, part)
    original = getattr(owner, attribute)
    calls = 0

    def paused(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if when == "before" and calls == int(nth):
            _stop_here(ready)
        result = original(*args, **kwargs)
        if when == "after" and calls == int(nth):
            _stop_here(ready)
        return result

    setattr(owner, attribute, paused)


def run(entry: str, *args: str) -> int:
    from xinfang import pipeline
    from xinfang.cli import main as cli

    if entry == "cli":
        return cli(list(args))
    data = json.loads(Path(args[0]).read_text("utf-8"))
    if entry == "parse":
        pipeline.parse(data)
    elif entry == "promote":
        pipeline.promote(data)
    else:
        raise ValueError(f"unknown entry {entry!r}")
    return 0


def child(job: dict[str, Any]) -> int:
    fd = os.open(job["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.environ.update(job["env"])
    pause_at(job["point"], Path(job["ready"]))
    return run(*job["entry"])


def serve() -> None:
    """Import once what every child needs; then one child per line. (Imported here, not at the
    top: a child's process pool starts its workers by importing this module.)"""
    import great_expectations  # noqa: F401

    import xinfang.cli
    import xinfang.ingest.run
    import xinfang.pipeline  # noqa: F401

    for line in sys.stdin:
        job = json.loads(line)
        assert threading.active_count() == 1, "forking a process with threads"
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = child(job)
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        print(pid, flush=True)
        _, status = os.waitpid(pid, 0)
        print(os.waitstatus_to_exitcode(status), flush=True)


if __name__ == "__main__":
    serve()
