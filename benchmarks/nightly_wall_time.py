"""Wall time of one nightly run for one night of the demo prefecture, and what Airflow adds.

Set-up (not timed): the demo prefecture's sample ledgers (``xinfang synth``; 10 counties, 25
months, 3 nightly snapshots, with its bad submissions); every night but the last loaded and
built, and the embedded Airflow's metadata database migrated. Then, from two identical copies
of that state, the last night's files are run:

- **direct**: the nightly pipeline functions in one fresh process (``pipeline.run_nightly``),
  each phase timed;
- **airflow**: ``airflow dags test nightly_ledgers`` in one fresh process: the same functions
  as Airflow tasks (one mapped ``parse`` task per file), run in turn by ``dag.test()``.

The difference is Airflow's overhead; the per-task durations Airflow records show where it
goes. Both arms parse the files one after the other, as ``dag.test()`` runs mapped tasks;
under a real executor the ``parse`` tasks run in parallel.

    uv run python benchmarks/nightly_wall_time.py [--workdir DIR] [--units 410882,410883]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from xinfang import airflow_local
from xinfang.config import PROJECT_ROOT

DIRECT = """
import json, time
from xinfang import pipeline
times, started = {}, time.perf_counter()
def timed(name, fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    times[name] = time.perf_counter() - t
    return out
payloads = timed("discover", pipeline.discover)
parsed = timed("parse", lambda: [pipeline.parse(p) for p in payloads])
outcome = timed("promote", pipeline.promote, parsed)
timed("build", pipeline.build)
timed("mart_gate", pipeline.mart_gate)
times["total_in_process"] = time.perf_counter() - started
print(json.dumps({"files": len(payloads), "phases": times,
                  "outcome": {k: len(v) for k, v in outcome.items()}}))
"""
PREPARE = "from xinfang import airflow_local; airflow_local.configure(); airflow_local.prepare()"


def environment(home: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "XINFANG_HOME": str(home),
        "XINFANG_REPORTS": str(home / "reports"),
        "XINFANG_PII_KEY": os.environ.get("XINFANG_PII_KEY", "benchmark-pseudonymisation-key"),
        "XINFANG_TASK_RETRIES": "0",
    }
    saved = os.environ.get("XINFANG_HOME")
    os.environ["XINFANG_HOME"] = str(home)
    try:
        env |= airflow_local.environment()
    finally:
        if saved is None:
            del os.environ["XINFANG_HOME"]
        else:
            os.environ["XINFANG_HOME"] = saved
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def run(command: list[str], home: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    result = subprocess.run(command, env=environment(home), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode:
        raise SystemExit(f"{command} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return seconds, result


def python(code: str, home: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    return run([sys.executable, "-c", code], home)


def prepare(workdir: Path, units: list[str] | None) -> tuple[Path, int]:
    """The base state (all but the last night loaded) and the last night's file count."""
    from xinfang import synth

    base, sample = workdir / "base", workdir / "sample"
    if (base / "ready").exists():
        return base, int((base / "ready").read_text())
    shutil.rmtree(workdir, ignore_errors=True)
    print("generating the demo prefecture's sample ledgers ...", file=sys.stderr)
    kwargs = {"units": units} if units else {}
    manifest = synth.generate(sample / "inbox", sample / "synth", **kwargs)
    last = max(f.snapshot_date for f in manifest.files)
    (base / "inbox").mkdir(parents=True)
    late = [f for f in manifest.files if f.snapshot_date == last]
    for f in manifest.files:
        if f not in late:
            target = base / "inbox" / f.path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(sample / "inbox" / f.path, target, follow_symlinks=False)
    print(f"loading and building the {len(manifest.files) - len(late)} earlier files ...",
          file=sys.stderr)  # fmt: skip
    python("from xinfang import pipeline; pipeline.run_nightly()", base)
    python(PREPARE, base)
    (base / "ready").write_text(str(len(late)))
    for f in late:  # the last night arrives
        target = base / "inbox" / f.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(sample / "inbox" / f.path, target, follow_symlinks=False)
    return base, len(late)


def arm(base: Path, name: str) -> Path:
    home = base.parent / name
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(base, home, symlinks=True)
    return home


def task_seconds(home: Path) -> dict[str, float]:
    with sqlite3.connect(home / "airflow" / "airflow.db") as con:
        rows = con.execute(
            "SELECT task_id, duration FROM task_instance WHERE dag_id = 'nightly_ledgers'"
        ).fetchall()
    out: dict[str, float] = defaultdict(float)
    for task, seconds in rows:
        out[task] += seconds or 0.0
    return dict(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=PROJECT_ROOT / "var" / "bench" / "nightly")
    parser.add_argument("--units", help="comma-separated unit codes (default: the prefecture)")
    args = parser.parse_args()
    base, files = prepare(args.workdir, args.units.split(",") if args.units else None)

    direct_home = arm(base, "direct")
    direct_wall, result = python(DIRECT, direct_home)
    direct = json.loads(result.stdout.strip().splitlines()[-1])

    airflow_home = arm(base, "airflow")
    airflow_wall, _ = run(["airflow", "dags", "test", "nightly_ledgers"], airflow_home)
    tasks = task_seconds(airflow_home)

    report = {
        "files": files,
        "direct": {"wall": direct_wall, **direct},
        "airflow": {"wall": airflow_wall, "tasks": tasks, "task_sum": sum(tasks.values())},
        "airflow_overhead": airflow_wall - direct_wall,
    }
    print(json.dumps(report, indent=1))
    phases = direct["phases"]
    print(f"\none night: {files} files ({direct['outcome']})", file=sys.stderr)
    print(f"{'phase':12} {'direct s':>9} {'airflow task s':>15}", file=sys.stderr)
    for phase in ("discover", "parse", "promote", "build", "mart_gate"):
        print(f"{phase:12} {phases[phase]:9.1f} {tasks.get(phase, 0.0):15.1f}", file=sys.stderr)
    print(f"{'wall':12} {direct_wall:9.1f} {airflow_wall:15.1f}", file=sys.stderr)
    print(f"Airflow overhead: {airflow_wall - direct_wall:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
