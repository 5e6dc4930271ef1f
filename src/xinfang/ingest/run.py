"""A whole ingestion run: discover, parse in a process pool, promote serially in arrival order.

The same three steps the Airflow DAG maps over (:mod:`xinfang.pipeline`), in one process tree
for the command line; then the quality gate's Data Docs are rebuilt once. A file that fails
operationally (changed while being read, a bug) is reported and left for the next run; the
other files go on. A run killed at any point is made good by the next one: each file is
registered in one transaction or not at all, and what a killed run left in the staging area for
files it did register is removed first.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass

import duckdb

from xinfang.config import Settings, pii_key
from xinfang.ingest.archive import discard_staging, staged_ids
from xinfang.ingest.discovery import discover, known_submissions
from xinfang.ingest.limits import Limits
from xinfang.ingest.parsing import parse
from xinfang.ingest.promotion import register
from xinfang.ingest.retention import prune_archive
from xinfang.ingest.submission import Candidate, ParsedSubmission, submission_id
from xinfang.orphans import end_with
from xinfang.warehouse import connect


@dataclass(frozen=True)
class Result:
    candidate: Candidate
    parsed: ParsedSubmission | None = None  # as registered, when it was newly
    loaded: bool = False  # newly registered (False: already there, or failed)
    failure: str | None = None  # an operational failure, not a rejection


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    rows: int
    seconds: float
    last: Result


class _InProcess(Executor):
    """Runs each task when submitted (``workers=1``: no pool, easier to debug and profile)."""

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


def _pool(workers: int) -> Executor:
    if workers <= 1:
        return _InProcess()
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=end_with,  # a killed run leaves no parsing processes behind
        initargs=(os.getpid(),),
    )


def ingest_inbox(
    settings: Settings,
    *,
    workers: int = 2,
    limits: Limits | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> list[Result]:
    """Ingest every new inbox file; one :class:`Result` per file, in arrival order."""
    limits = limits or Limits.from_env()
    known = known_submissions(settings.warehouse)
    registered = {submission_id(unit, sha256) for unit, sha256 in known[0]}
    discard_staging(settings, staged_ids(settings) & registered)
    candidates = discover(settings, known)
    if not candidates:
        return []
    pii_key()  # created (demo key) here, before the workers would race to create it
    results: list[Result] = []
    started, rows = time.monotonic(), 0
    with _pool(workers) as pool:
        futures = [pool.submit(parse, c, settings, limits) for c in candidates]
        con = connect(settings.warehouse)
        try:
            for candidate, future in zip(candidates, futures, strict=True):
                try:
                    parsed = future.result()
                    registered = register(con, parsed, archive=settings.archive)
                    result = Result(candidate, registered or parsed, registered is not None)
                    rows += parsed.row_count if result.loaded else 0
                except Exception as exc:
                    result = Result(candidate, failure=f"{type(exc).__name__}: {exc}")
                results.append(result)
                if on_progress:
                    elapsed = time.monotonic() - started
                    on_progress(Progress(len(results), len(candidates), rows, elapsed, result))
            prune_archive(con, settings.archive)  # XINFANG_ARCHIVE_RETENTION_DAYS
            if any(r.loaded and r.parsed.gate for r in results):
                _data_docs(con, settings)
        finally:
            con.close()
    return results


def _data_docs(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Rebuild the quality gate's Data Docs under ``<reports>/quality``."""
    from xinfang.quality import build_data_docs

    build_data_docs(con, settings.reports / "quality")
