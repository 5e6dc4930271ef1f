"""What the benchmarks share: a child process measured whole, the machine, its load, DuckDB's
own CSV reader as a floor.

A stage measured by :func:`measure` runs in a fresh process; its wall time, CPU time and peak
memory are its own (``wait4`` reports the child and every descendant it waited for), and a
sampler thread follows the whole process tree (the sum of its resident sets, which ``wait4``
cannot give for parallel workers) and the machine: its load average and the CPU time that other
processes took meanwhile, since a shared two-core machine makes timings mean little without it.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import duckdb
import psutil

SAMPLE_SECONDS = 0.2
PACKAGES = (
    "duckdb", "pyarrow", "pandas", "numpy", "great-expectations", "dbt-core", "dbt-duckdb",
    "weasyprint", "matplotlib", "fastexcel", "apache-airflow",
)  # fmt: skip


@dataclass(frozen=True)
class Measured:
    """One child process, start to exit."""

    wall: float  # seconds
    cpu: float  # user + system seconds of the child and its descendants
    peak_rss_mb: float  # the largest single process (wait4's ru_maxrss, or sampled)
    tree_rss_mb: float  # the largest sampled sum over the process tree
    load: float  # mean 1-minute load average while it ran
    others_cpu: float  # share of the machine's CPU time used by other processes meanwhile
    result: dict[str, Any]  # the last line of the child's stdout, as JSON

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _busy_seconds() -> float:
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


class _Sampler(threading.Thread):
    """Every ``SAMPLE_SECONDS``: each process's RSS and CPU time in the tree, and the 1-minute
    load average. ``wait4`` misses the workers a forkserver starts (not the stage's children)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.peak_tree = self.peak_process = 0
        self.cpu: dict[int, float] = {}  # the last CPU seconds seen of every process
        self.loads: list[float] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_SECONDS):
            try:
                tree = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                continue
            rss = 0
            for p in tree:
                with contextlib.suppress(psutil.Error):
                    resident = p.memory_info().rss
                    times = p.cpu_times()
                    rss += resident
                    self.peak_process = max(self.peak_process, resident)
                    self.cpu[p.pid] = times.user + times.system
            self.peak_tree = max(self.peak_tree, rss)
            self.loads.append(os.getloadavg()[0])


def measure(command: Sequence[str], env: Mapping[str, str] | None = None) -> Measured:
    """Run ``command`` to its end; raise with its output's tail when it fails."""
    busy, started = _busy_seconds(), time.perf_counter()
    child = subprocess.Popen(
        list(command), env=dict(env) if env is not None else None,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    sampler = _Sampler(child.pid)
    sampler.start()
    chunks: dict[str, str] = {}
    readers = [
        threading.Thread(target=lambda n=n, s=s: chunks.__setitem__(n, s.read()), daemon=True)
        for n, s in (("stdout", child.stdout), ("stderr", child.stderr))
    ]
    for r in readers:
        r.start()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    sampler.done.set()
    for r in readers:
        r.join()
    cpu = max(usage.ru_utime + usage.ru_stime, sum(sampler.cpu.values()))
    others = max(0.0, _busy_seconds() - busy - cpu) / (wall * (os.cpu_count() or 1))
    out, err = chunks.get("stdout", ""), chunks.get("stderr", "")
    if child.returncode:
        raise RuntimeError(f"{' '.join(command)} failed ({child.returncode}):\n{out[-3000:]}\n"
                           f"{err[-5000:]}")  # fmt: skip
    lines = out.strip().splitlines()
    return Measured(
        wall=wall,
        cpu=cpu,
        peak_rss_mb=max(usage.ru_maxrss * 1024, sampler.peak_process) / 2**20,
        tree_rss_mb=sampler.peak_tree / 2**20,
        load=sum(sampler.loads) / len(sampler.loads) if sampler.loads else os.getloadavg()[0],
        others_cpu=others,
        result=json.loads(lines[-1]) if lines else {},
    )


def load() -> str:
    """The machine's load: timings on a shared two-core machine mean little without it."""
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _os_name() -> str:
    try:
        release = platform.freedesktop_os_release()["PRETTY_NAME"]
    except OSError:
        release = platform.system()
    return f"{release}, kernel {platform.release()}"


def machine() -> dict[str, Any]:
    """What the numbers were measured on, gathered from the running system."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": _os_name(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "packages": versions,
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "argv": " ".join(sys.argv),
    }


def read_csv_into(con: duckdb.DuckDBPyConnection, table: str, path: Path, skip: int) -> int:
    """DuckDB's own reader: ``path`` (UTF-8) into a new table of text columns, below ``skip``
    title rows and a header; returns the rows read."""
    con.execute(
        f'CREATE TABLE "{table}" AS SELECT * FROM read_csv(?, skip={int(skip)}, header=true, '
        "all_varchar=true)",
        [str(path)],
    )
    (rows,) = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()
    return rows
