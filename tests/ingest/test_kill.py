"""Ingestion killed (SIGKILL) at its worst moments, then run again: the result is a clean run's.

Each test copies one small inbox, runs an ingestion entry point (``xinfang ingest``, or the
nightly DAG's tasks) in a child process stopped at a chosen point, SIGKILLs it, runs ingestion
again, and compares everything ingestion wrote with a clean run's: the registry (one row per
file), the raw tables' content, the audit trail, the archive and the clerk's reports; nothing
may be left in the staging area. ``killable.py`` forks the children from a warm parent (Great
Expectations imported once) and patches the chosen function in the child only.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from xinfang import pipeline
from xinfang.config import Settings

from .builders import (
    MENGZHOU,
    PETITION_HEADER,
    RECEIVED,
    XIANGYUAN,
    csv_bytes,
    drop,
    id_number,
    ingest,
    petition,
    query,
    settings_at,
    xlsx_bytes,
)

KILLABLE = Path(__file__).with_name("killable.py")
RAW_TABLES = ("submissions", "submission_messages", "petitions", "risks", "backlog")
#: In arrival order: accepted, rejected (a clerk's report), accepted, accepted with a warning.
FILES = ("410883/a.xlsx", "140423/c.xlsx", "410883/b.csv", "140423/d.xlsx")


def ledger(*rows: list[object]) -> bytes:
    return xlsx_bytes([["台账"], PETITION_HEADER, *rows])


def write_inbox(settings: Settings) -> None:
    day = timedelta(days=1)
    drop(settings, MENGZHOU, "a.xlsx", ledger(*(petition(f"XF-{i}") for i in range(40))))
    drop(settings, XIANGYUAN, "c.xlsx", ledger(petition("XY-1", registered_on="2025-02-30")))
    visits = [petition(f"XF-{i}", channel="走访") for i in range(45)]
    drop(settings, MENGZHOU, "b.csv", csv_bytes([PETITION_HEADER, *visits], "gb18030"),
         RECEIVED + day)  # fmt: skip
    bad_id = id_number("140423", "19800101", "123")[:-1] + "0"
    warned = ledger(petition("XY-1"), petition("XY-2", id_number=bad_id))
    drop(settings, XIANGYUAN, "d.xlsx", warned, RECEIVED + 2 * day)


def fingerprint(settings: Settings) -> dict[str, object]:
    """Everything ingestion wrote, short of times of day: raw tables, audit trail, files."""
    out: dict[str, object] = {}
    for table in RAW_TABLES:
        exclude = " EXCLUDE (ingested_at)" if table == "submissions" else ""
        rows = query(settings, f"SELECT *{exclude} FROM raw.{table} ORDER BY ALL")
        out[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    out["audit"] = query(
        settings,
        """
        SELECT r.submission_id, r.suite_name, r.outcome, r.success, r.failed_checks,
               (SELECT count(*) FROM audit.expectation_results AS e WHERE e.run_id = r.run_id),
               (SELECT list(f.message ORDER BY f.seq, f.n)
                FROM audit.row_failures AS f WHERE f.run_id = r.run_id)
        FROM audit.validation_runs AS r ORDER BY ALL
        """,
    )
    out["archive"] = {
        str(p.relative_to(settings.archive)): b"" if is_report(p) else p.read_bytes()
        for p in sorted(settings.archive.rglob("*"))
        if p.is_file()
    }
    return out


def is_report(path: Path) -> bool:
    """A clerk's report's .xlsx: it holds the time it was written (its .html the same lines)."""
    return path.name.endswith((".rejection.xlsx", ".warnings.xlsx"))


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    settings = settings_at(tmp_path_factory.mktemp("kill-inbox"))
    write_inbox(settings)
    return settings.inbox


@pytest.fixture(scope="module")
def clean(tmp_path_factory, inbox) -> dict[str, object]:
    """What an uninterrupted run writes."""
    settings = fresh(tmp_path_factory.mktemp("kill-clean"), inbox)
    assert [r.parsed.outcome for r in ingest(settings)] == [
        "accepted", "rejected", "accepted", "accepted",
    ]  # fmt: skip
    found = fingerprint(settings)
    assert found["petitions"][0] == 40 + 45 + 2
    assert {name.split(".", 1)[1] for name in found["archive"]} == {
        "xlsx", "csv", "rejection.xlsx", "rejection.html", "warnings.xlsx", "warnings.html",
    }  # fmt: skip
    return found


def fresh(root: Path, inbox: Path) -> Settings:
    settings = settings_at(root)
    shutil.copytree(inbox, settings.inbox)  # copy2: modification times (arrival) kept
    return settings


class Killer:
    """The warm parent of ``killable.py``: forks each entry point to be killed (see there)."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(KILLABLE)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.strip())

    def kill_at(self, point: str, settings: Settings, entry: list[str]) -> None:
        """Run ``entry`` in a child process, wait until it reaches ``point``, SIGKILL it."""
        self.kill(self.stop_at(point, settings, entry))

    def stop_at(self, point: str, settings: Settings, entry: list[str]) -> int:
        """Run ``entry`` in a child process until it reaches ``point``; its pid."""
        ready, log = (settings.warehouse.with_name(n) for n in ("ready", "child.log"))
        ready.unlink(missing_ok=True)
        env = {
            "XINFANG_INBOX": str(settings.inbox),
            "XINFANG_WAREHOUSE": str(settings.warehouse),
            "XINFANG_ARCHIVE": str(settings.archive),
            "XINFANG_REPORTS": str(settings.reports),
        }
        job = {"point": point, "ready": str(ready), "log": str(log), "env": env, "entry": entry}
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        pid = int(self.lines.get(timeout=300))
        deadline = time.monotonic() + 300
        while not ready.exists():
            with contextlib.suppress(queue.Empty):
                code = self.lines.get(timeout=0.05)
                pytest.fail(f"ended ({code}) before {point}:\n{log.read_text()}")
            assert time.monotonic() < deadline, f"never reached {point}"
        assert int(ready.read_text()) == pid
        return pid

    def kill(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)
        assert int(self.lines.get(timeout=60)) == -signal.SIGKILL

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


@pytest.fixture(scope="module")
def killer() -> Iterator[Killer]:
    killer = Killer()
    yield killer
    killer.close()


def cli_ingest(settings: Settings, workers: int = 1) -> list[str]:
    paths = ["--inbox", settings.inbox, "--warehouse", settings.warehouse]
    paths += ["--archive", settings.archive, "--workers", workers]
    return ["cli", "ingest", *map(str, paths)]


def registered(settings: Settings) -> list[str]:
    rows = query(settings, "SELECT unit_code, file_name FROM raw.submissions ORDER BY received_at")
    return [f"{unit}/{name}" for unit, name in rows]


def assert_as_clean(settings: Settings, clean: dict[str, object]) -> None:
    once = query(settings, "SELECT count(*), count(DISTINCT sha256) FROM raw.submissions")
    assert once == [(len(FILES), len(FILES))]
    assert fingerprint(settings) == clean
    staging = settings.archive / "_staging"
    assert not staging.exists() or not any(staging.iterdir())


def sid(settings: Settings, file: str) -> str:
    unit = file.split("/")[0]
    return f"{unit}-{hashlib.sha256((settings.inbox / file).read_bytes()).hexdigest()[:16]}"


def staged(settings: Settings) -> list[str]:
    root = settings.archive / "_staging"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []


def test_killed_between_two_files(tmp_path, killer, inbox, clean):
    settings = fresh(tmp_path, inbox)
    # b.csv committed, its staged rows not yet removed; d.xlsx's waiting
    point = "xinfang.ingest.promotion:discard_rows:before:2"
    killer.kill_at(point, settings, cli_ingest(settings))
    assert registered(settings) == list(FILES[:3])
    b, d = (sid(settings, f) for f in FILES[2:])
    assert staged(settings) == sorted([b, f"{b}/rows.parquet", d, f"{d}/rows.parquet"])
    assert [r.candidate.file_name for r in ingest(settings)] == ["d.xlsx"]
    assert_as_clean(settings, clean)


def test_killed_inside_a_promote_transaction(tmp_path, killer, inbox, clean):
    settings = fresh(tmp_path, inbox)
    # d.xlsx's registry row, rows, messages, audit rows and clerk's report are written; the
    # transaction is not committed
    point = "xinfang.ingest.promotion:_write_report:after:2"
    killer.kill_at(point, settings, cli_ingest(settings))
    assert registered(settings) == list(FILES[:3])
    assert query(settings, "SELECT count(*) FROM raw.petitions") == [(40 + 45,)]
    assert [r.candidate.file_name for r in ingest(settings)] == ["d.xlsx"]
    assert_as_clean(settings, clean)


def alive(pid: int) -> bool:
    """Running, or ended but not yet reaped by whoever inherited it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_PDEATHSIG)")
def test_parsing_processes_end_with_a_killed_run(tmp_path, killer, inbox, clean):
    settings = fresh(tmp_path, inbox)
    # the pool's processes started (each still importing the package), the run's own waiting
    pid = killer.stop_at("xinfang.ingest.run:connect:after:1", settings, cli_ingest(settings, 2))
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    workers = [int(c) for c in children if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text()]
    assert len(workers) == 2
    killer.kill(pid)
    deadline = time.monotonic() + 120
    while any(alive(w) for w in workers):
        assert time.monotonic() < deadline, "orphaned parsing processes live on"
        time.sleep(0.1)
    ingest(settings)
    assert_as_clean(settings, clean)


def test_nightly_tasks_killed_retried_and_killed_again(tmp_path, killer, inbox, clean):
    """The nightly DAG's tasks: a parse task retried and killed while writing its staged rows;
    the promote task killed in a transaction, retried with its input (as Airflow retries a
    task) and killed again after a commit; then the next night's run."""
    settings = fresh(tmp_path, inbox)
    tasks = {t["label"]: t for t in pipeline.discover(settings)}
    parsed = [pipeline.parse(t, settings) for t in tasks.values()]
    b, d = (p["submission_id"] for p in parsed[2:])
    rows = settings.archive / "_staging" / b / "rows.parquet"
    written = rows.read_bytes()

    task = tmp_path / "parse.json"
    task.write_text(json.dumps(tasks[FILES[2]], ensure_ascii=False), "utf-8")
    point = "pyarrow.parquet:ParquetWriter.close:before:1"  # rows written, not the footer
    killer.kill_at(point, settings, ["parse", str(task)])
    assert rows.read_bytes() == written  # the staged rows are whole, the killed write aside
    (partial,) = rows.parent.glob(".rows.parquet.*.tmp")
    assert partial.stat().st_size > 0

    promote_task = tmp_path / "promote.json"
    promote_task.write_text(json.dumps(parsed, ensure_ascii=False), "utf-8")
    point = "xinfang.ingest.promotion:_insert:after:3"  # b.csv's rows in, not committed
    killer.kill_at(point, settings, ["promote", str(promote_task)])
    assert registered(settings) == list(FILES[:2])
    point = "xinfang.ingest.promotion:discard_rows:before:1"  # b.csv committed
    killer.kill_at(point, settings, ["promote", str(promote_task)])
    assert registered(settings) == list(FILES[:3])
    assert staged(settings) == sorted(
        [b, f"{b}.json", f"{b}/rows.parquet", partial.relative_to(rows.parent.parent).as_posix(),
         d, f"{d}.json", f"{d}/rows.parquet"]
    )  # fmt: skip

    tonight = [pipeline.parse(t, settings) for t in pipeline.discover(settings)]
    assert [t["label"] for t in tonight] == [FILES[3]]
    outcome = pipeline.promote(tonight, settings)
    assert [s["label"] for s in outcome["accepted"]] == [FILES[3]]
    assert_as_clean(settings, clean)
