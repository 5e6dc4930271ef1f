"""The stages of ``benchmarks/scales.py``, each run by it in a fresh process.

    python benchmarks/scale_stages.py STAGE --root DIR [--month YYYY-MM] [--sample N] ...

Every stage works on one scale's directory (inbox, manifest, archive, warehouse, reports) and
prints one JSON line last: ``seconds`` is the stage's work, timed after its imports; the rest
says what it did. The warehouse settings come from the environment ``scales.py`` sets.

The quality gate runs inside ingestion's parse step in production. To time the two apart, the
``ingest`` stage runs the real ingestion (``ingest_inbox``, its process pool, load) with the
gate's call replaced by writing the gate's inputs to ``<root>/gate-inputs``; the ``validate``
stage then runs the real gate on them as ingestion would (``validate`` in parallel workers,
then, one transaction per submission in arrival order, the comparison with the previous
submission and the audit record), and rebuilds the Data Docs as ingestion does after a run.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import json
import multiprocessing
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pyarrow.feather as feather

from xinfang.config import Settings

T = TypeVar("T")
JOBS = 2  # worker processes where the product runs a pool (this machine's cores)
GATE_INPUTS = "gate-inputs"
ID_PROBLEMS = "__id_problems"
ISSUE_DATE = date(2026, 11, 5)
EMPTY_CHART = (
    "data:image/svg+xml;base64,"
    "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHdpZHRoPSIxIiBoZWlnaHQ9IjEiLz4="
)


def settings() -> Settings:
    return Settings.from_env()


def sample(values: list[T], n: int | None) -> list[T]:
    """``n`` of ``values`` spread evenly over the list (all of them when ``n`` is None)."""
    if n is None or n >= len(values):
        return values
    return [values[i * len(values) // n] for i in range(n)]


# --- generate ---------------------------------------------------------------------------------


def generate(root: Path, units: list[str], months: int, end_month: str) -> dict[str, Any]:
    from xinfang import synth

    started = time.perf_counter()
    manifest = synth.generate(
        root / "inbox", root / "synth", units=units, end_month=end_month, months=months,
        snapshots=1, file_format="csv", bad_files=False, jobs=JOBS,
    )  # fmt: skip
    return {
        "seconds": time.perf_counter() - started,
        "units": len(manifest.units),
        "files": len(manifest.files),
        "items": sum(manifest.truth_rows.values()),
        "items_by_ledger": manifest.truth_rows,
        "bytes": sum(f.size_bytes for f in manifest.files),
    }


# --- ingest, with the gate's inputs set aside -------------------------------------------------


def _set_aside(folder: Path, parsed: Any, normalised: Any, told: list) -> Any:
    """In place of ``parsing._gate``: write what the gate would get; the submission unjudged."""
    started = time.perf_counter()
    rows = normalised.rows
    if normalised.id_problems is not None:
        rows = rows.append_column(ID_PROBLEMS, normalised.id_problems)
    stem = folder / parsed.submission_id
    feather.write_feather(rows, stem.with_suffix(".arrow"), compression="uncompressed")
    data = {"parsed": parsed.to_dict(), "told": told, "seconds": time.perf_counter() - started}
    stem.with_suffix(".json").write_text(json.dumps(data, ensure_ascii=False))
    return parsed


def _defer_gate(folder: str, parent: int) -> None:
    """Pool initializer: as ingestion's own (the worker ends with its run), and this worker's
    ingestion sets the gate's inputs aside."""
    from xinfang.ingest import parsing
    from xinfang.orphans import end_with

    end_with(parent)
    parsing._gate = functools.partial(_set_aside, Path(folder))


def _deferring_pool(folder: Path, workers: int) -> ProcessPoolExecutor:
    """``ingest.run._pool``'s pool, each worker initialised by :func:`_defer_gate`."""
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_defer_gate,
        initargs=(str(folder), os.getpid()),
    )


def ingest(root: Path) -> dict[str, Any]:
    from xinfang.ingest import run

    folder = root / GATE_INPUTS
    folder.mkdir(parents=True, exist_ok=True)
    run._pool = functools.partial(_deferring_pool, folder)
    started = time.perf_counter()
    results = run.ingest_inbox(settings(), workers=JOBS)
    seconds = time.perf_counter() - started
    failed = [r for r in results if not r.loaded or r.parsed.outcome != "accepted"]
    if failed:
        raise SystemExit(f"{len(failed)} files not loaded, e.g. {failed[0]}")
    set_aside = [json.loads(p.read_text()) for p in folder.glob("*.json")]
    return {
        "seconds": seconds,
        "files": len(results),
        "rows": sum(r.parsed.row_count for r in results),
        "gate_inputs_written_seconds": sum(d["seconds"] for d in set_aside),
    }


def ingest_floor(root: Path) -> dict[str, Any]:
    """DuckDB's ``read_csv`` of the same files into tables of one new database file (GB18030
    files transcoded to UTF-8 first, as DuckDB 2.0 cannot read them)."""
    import duckdb
    from _common import read_csv_into

    from xinfang.synth import Manifest

    manifest = Manifest.load(root / "synth")
    folder = root / "floor"
    folder.mkdir(exist_ok=True)
    database = folder / "read_csv.duckdb"
    database.unlink(missing_ok=True)
    started = time.perf_counter()
    con = duckdb.connect(str(database))
    rows = 0
    for i, f in enumerate(manifest.files):
        path = root / "inbox" / f.path
        if f.encoding == "gb18030":
            utf8 = folder / "utf8.csv"
            utf8.write_text(path.read_bytes().decode("gb18030"), "utf-8")
            path = utf8
        rows += read_csv_into(con, f"t{i}", path, skip=f.header_row - 1)
    con.close()
    return {"seconds": time.perf_counter() - started, "files": len(manifest.files), "rows": rows}


# --- validate ---------------------------------------------------------------------------------


def _validate_one(stem: str) -> dict[str, Any]:
    """The gate's row checks on one set-aside submission, as ``parsing._gate`` runs them."""
    from xinfang.ingest import parsing
    from xinfang.ingest.normalise import Normalised
    from xinfang.ingest.submission import ParsedSubmission

    data = json.loads(Path(f"{stem}.json").read_text())
    rows = feather.read_table(f"{stem}.arrow")
    ids = None
    if ID_PROBLEMS in rows.column_names:
        ids = rows[ID_PROBLEMS].combine_chunks()
        rows = rows.drop_columns([ID_PROBLEMS])
    normalised = Normalised(rows, [], ids)
    parsed = ParsedSubmission.from_dict(data["parsed"])
    return parsing._gate(parsed, normalised, [tuple(t) for t in data["told"]]).to_dict()


def _arrival(path: Path) -> tuple[str, str, str]:
    parsed = json.loads(path.read_text())["parsed"]
    return parsed["received_at"], parsed["file_name"], parsed["unit_code"]


def validate(root: Path, n: int | None) -> dict[str, Any]:
    from xinfang import quality
    from xinfang.ingest import promotion
    from xinfang.ingest.submission import ParsedSubmission
    from xinfang.warehouse import connect

    everything = sorted((root / GATE_INPUTS).glob("*.json"), key=_arrival)
    chosen = sample(everything, n)
    outcomes: Counter[str] = Counter()
    started = time.perf_counter()
    with ProcessPoolExecutor(JOBS, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(_validate_one, str(p.with_suffix(""))) for p in chosen]
        con = connect(settings().warehouse)
        first = None  # when the first result came: pool start-up and GX imports before it
        for future in futures:
            parsed = ParsedSubmission.from_dict(future.result())
            first = first or time.perf_counter()
            con.execute("BEGIN TRANSACTION")
            judged, compared = promotion._judge(con, parsed)
            quality.record(con, compared, outcome=judged.outcome)
            con.execute("COMMIT")
            outcomes[judged.outcome] += 1
    gated = time.perf_counter()
    quality.build_data_docs(con, settings().reports / "quality")
    con.close()
    done = time.perf_counter()
    per_file = (gated - first) / max(1, len(chosen) - 1)
    return extrapolated(
        done - started, len(chosen), len(everything), "files",
        fixed=max(0.0, first - started - per_file), gate_seconds=gated - started,
        data_docs_seconds=done - gated, outcomes=dict(outcomes),
    )  # fmt: skip


# --- figures and bulletins --------------------------------------------------------------------


def figures(root: Path, month: str) -> dict[str, Any]:
    from xinfang.bulletin.sources import reporting_units
    from xinfang.figures import figures_for_many, to_json
    from xinfang.warehouse import connect

    folder = root / "figures"
    folder.mkdir(exist_ok=True)
    started = time.perf_counter()
    con = connect(settings().warehouse, read_only=True)
    codes = reporting_units(con)
    documents = figures_for_many(con, codes, [month])
    con.close()
    for (code, _), document in documents.items():
        (folder / f"{code}-{month}.json").write_text(to_json(document), "utf-8")
    return {"seconds": time.perf_counter() - started, "units": len(codes)}


def _contexts(month: str, n: int | None) -> tuple[list, int]:
    from xinfang.bulletin.sources import contexts_for, reporting_units
    from xinfang.warehouse import connect

    con = connect(settings().warehouse, read_only=True)
    try:
        codes = reporting_units(con)
        return contexts_for(con, month, sample(codes, n), ISSUE_DATE), len(codes)
    finally:
        con.close()


def render(root: Path, month: str, n: int | None) -> dict[str, Any]:
    from xinfang.bulletin.cli import issue_all

    reports = root / "bulletins"  # a new one: issue_all skips what is issued already
    shutil.rmtree(reports, ignore_errors=True)
    started = time.perf_counter()
    contexts, total = _contexts(month, n)
    loaded = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # one line per bulletin
        paths, failures = issue_all(contexts, reports, workers=JOBS)
    if failures:
        raise SystemExit(f"{failures} bulletins failed")
    seconds = time.perf_counter() - started
    return extrapolated(seconds, len(paths), total, "units", contexts_seconds=loaded - started)


def extrapolated(
    seconds: float, done: int, total: int, of: str, fixed: float = 0.0, **details: Any
) -> dict:
    """A stage run on ``done`` of ``total`` files or units: its seconds, less those ``fixed``
    (start-up), scaled to all of them."""
    return {
        "seconds": fixed + (seconds - fixed) * total / done,
        "measured_seconds": seconds,
        "fixed_seconds": fixed,
        of: done,
        f"{of}_total": total,
        "extrapolated": done < total,
        **details,
    }


def _floor_warm() -> None:
    from xinfang.bulletin.render import renderer

    renderer().warm()


def _floor_pdf(html: str) -> int:
    from weasyprint import HTML

    from xinfang.bulletin.render import renderer

    r = renderer()
    return len(HTML(string=html).write_pdf(stylesheets=r.stylesheets, font_config=r.font_config))


def render_floor(root: Path, month: str, n: int | None) -> dict[str, Any]:
    """WeasyPrint alone on the same pages without charts: the HTML is made beforehand, and the
    same warm worker processes as ``render_all`` would use write the PDFs (no PDF/A, no
    attachments)."""
    from xinfang.bulletin import view
    from xinfang.bulletin.batch import POOL_FROM
    from xinfang.bulletin.render import renderer, timestamp

    contexts, total = _contexts(month, n)
    template = renderer().template
    pages = []
    for ctx in contexts:
        page = view.build(ctx)
        page |= {k: EMPTY_CHART for k in ("trend_svg", "pyramid_svg", "classes_svg") if k in page}
        pages.append(template.render(**page, timestamp=timestamp(ctx).isoformat()))
    started = time.perf_counter()
    if len(pages) < POOL_FROM:  # as render_all decides
        _floor_warm()
        sizes = [_floor_pdf(page) for page in pages]
    else:
        mp = multiprocessing.get_context("forkserver")
        mp.set_forkserver_preload(["xinfang.bulletin.render"])
        with ProcessPoolExecutor(JOBS, mp_context=mp, initializer=_floor_warm) as pool:
            sizes = list(pool.map(_floor_pdf, pages))
    if not all(sizes):
        raise SystemExit("an empty PDF")
    return extrapolated(time.perf_counter() - started, len(sizes), total, "units")


STAGES: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "generate": lambda a: generate(a.root, a.units.split(","), a.months, a.end_month),
    "ingest": lambda a: ingest(a.root),
    "ingest_floor": lambda a: ingest_floor(a.root),
    "validate": lambda a: validate(a.root, a.sample),
    "figures": lambda a: figures(a.root, a.month),
    "render": lambda a: render(a.root, a.month, a.sample),
    "render_floor": lambda a: render_floor(a.root, a.month, a.sample),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stage", choices=STAGES)
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--units", help="comma-separated unit codes (generate)")
    parser.add_argument("--months", type=int, help="months of ledgers (generate)")
    parser.add_argument("--end-month", help="the last month of the ledgers (generate)")
    parser.add_argument("--month", help="the bulletins' month (figures, render)")
    parser.add_argument("--sample", type=int, help="at most this many files or bulletins")
    args = parser.parse_args()
    print(json.dumps(STAGES[args.stage](args), ensure_ascii=False))


if __name__ == "__main__":
    main()
