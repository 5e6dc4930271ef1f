"""``xinfang ui`` stops all of ``airflow standalone``: SIGINT to its whole process group.

Stand-ins for ``airflow standalone`` (a parent with long-running children, like its scheduler
and API server) are started the way ``xinfang ui`` starts the real one, from a parent that
ignores SIGINT as a shell's background job does; stopping them must end every process, even a
child that ignores SIGINT and SIGTERM and outlives its parent (as a LocalExecutor worker that
never got its scheduler's shutdown message does).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from xinfang.airflow_local import start_group, stop_group

STANDIN = """
import pathlib, signal, subprocess, sys
ready, stubborn = sys.argv[1], sys.argv[2] == "stubborn"
ignore = "signal.signal(signal.SIGINT, signal.SIG_IGN); " + (
    "signal.signal(signal.SIGTERM, signal.SIG_IGN); " if stubborn else "")
child = ("import os, pathlib, signal, sys, time; {}"
         "pathlib.Path(sys.argv[1], str(os.getpid())).touch(); time.sleep(300)")
children = [subprocess.Popen([sys.executable, "-c", child.format(""), ready]),
            subprocess.Popen([sys.executable, "-c", child.format(ignore), ready])]
try:
    children[0].wait()
except KeyboardInterrupt:
    children[0].wait()  # the other one is left behind, ignoring SIGINT
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0]
    except FileNotFoundError:
        return False
    return state != "Z"


def start_standin(tmp_path: Path, kind: str) -> tuple[object, list[int]]:
    """The stand-in, once both children have set their signal handlers (each says so with a
    file named by its pid)."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        proc = start_group([sys.executable, "-c", STANDIN, str(tmp_path), kind], {})
    finally:
        signal.signal(signal.SIGINT, previous)
    assert os.getpgid(proc.pid) == proc.pid != os.getpgid(0)
    deadline = time.monotonic() + 30
    while len(list(tmp_path.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    children = sorted((int(p.name) for p in tmp_path.iterdir()), key=ignores_sigint)
    assert len(children) == 2 and all(alive(p) for p in children)
    # started from a parent that ignores SIGINT, yet SIGINT is back to its default
    assert not ignores_sigint(proc.pid) and not ignores_sigint(children[0])
    return proc, children


def ignores_sigint(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status").read_text()
    (mask,) = (line.split()[1] for line in status.splitlines() if line.startswith("SigIgn:"))
    return bool(int(mask, 16) & (1 << (signal.SIGINT - 1)))


def assert_all_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + 5
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(p) for p in pids)


def test_sigint_then_sigterm_to_the_group_stops_every_component(tmp_path):
    proc, children = start_standin(tmp_path, "polite")
    started = time.monotonic()
    stop_group(proc, grace=2)
    assert 2 <= time.monotonic() - started < 6  # SIGTERM, after the grace, ended the last one
    assert_all_gone([proc.pid, *children])


def test_a_child_deaf_to_sigint_and_sigterm_is_killed_too(tmp_path):
    proc, children = start_standin(tmp_path, "stubborn")
    started = time.monotonic()
    stop_group(proc, grace=1)
    assert 2 <= time.monotonic() - started < 15  # SIGKILL, after SIGINT and SIGTERM
    assert_all_gone([proc.pid, *children])
