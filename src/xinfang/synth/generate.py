"""``generate``: plan every file, write each unit's files (in parallel), write the manifest."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa

from xinfang.config import Settings
from xinfang.reference import Unit, units, units_of_prefecture
from xinfang.schema import LEDGERS
from xinfang.synth import backlog, bad, petitions, risks
from xinfang.synth.calendar import Window, window
from xinfang.synth.context import UnitContext
from xinfang.synth.frame import Frame, take
from xinfang.synth.manifest import FileEntry, Manifest, Problem, truth_table, write_truth
from xinfang.synth.naming import NAME_PATTERNS, file_name, titles
from xinfang.synth.render import render
from xinfang.synth.rng import stream
from xinfang.synth.style import (
    FORMATS,
    FileStyle,
    Layout,
    cover,
    cover_layouts,
    draw_layout,
    draw_style,
)
from xinfang.synth.writers import encode

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_SEED = 20261101
DEFAULT_PREFECTURE = "410800"
FILE_FORMATS = ("mixed", "csv", "xlsx")
ARRIVAL_START = time(0, 30)  # good snapshots arrive 00:30-01:30 the night after their as-of date
ARRIVAL_SPREAD_S = 3600
SHEET_NAMES = ("Sheet1", "台账", "{title}", "{year}年")


class InboxNotEmptyError(RuntimeError):
    pass


@dataclass(frozen=True)
class FilePlan:
    unit: Unit
    kind: str
    night: date  # as-of date
    night_index: int
    arrival: datetime
    layout: Layout
    style: FileStyle
    name: str


@dataclass(frozen=True)
class UnitJob:
    unit: Unit
    window: Window
    seed: int
    files: tuple[FilePlan, ...]
    bad: tuple[bad.BadPlan, ...]
    layouts: dict[str, Layout]
    name_pattern: int
    inbox: Path
    manifest_dir: Path


@dataclass
class UnitResult:
    entries: list[FileEntry] = field(default_factory=list)
    truth: dict[str, list[pa.Table]] = field(default_factory=lambda: {k: [] for k in LEDGERS})


def default_manifest_dir() -> Path:
    return Settings.from_env().inbox.parent / "synth"


def select_units(
    codes: Sequence[str] | None = None,
    province: str | None = None,
    prefecture: str = DEFAULT_PREFECTURE,
) -> list[Unit]:
    """``codes`` if given, else a province's units, else a prefecture's; sorted by code."""
    known = units()
    if codes:
        missing = [c for c in codes if c not in known]
        if missing:
            raise ValueError(f"unknown unit codes: {', '.join(missing)}")
        chosen = [known[c] for c in dict.fromkeys(codes)]
    elif province:
        chosen = [u for u in known.values() if u.province_code == province]
    else:
        chosen = units_of_prefecture(prefecture)
    if not chosen:
        raise ValueError("no units selected")
    return sorted(chosen, key=lambda u: u.code)


def arrival(night: date, seconds: int) -> datetime:
    return datetime.combine(night + timedelta(days=1), ARRIVAL_START, SHANGHAI) + timedelta(
        seconds=seconds
    )


def _formats(file_format: str) -> list[tuple[str, str | None]]:
    if file_format == "mixed":
        return list(FORMATS)
    return [f for f in FORMATS if f[0] == file_format]


def plan_files(
    seed: int, unit_list: list[Unit], win: Window, file_format: str
) -> tuple[list[FilePlan], dict[str, dict[str, Layout]], dict[str, int]]:
    formats = _formats(file_format)
    keys = [(u, k) for u in unit_list for k in LEDGERS]
    layouts = cover_layouts(
        stream(seed, "cover-layouts"),
        [draw_layout(stream(seed, int(u.code), k, "layout"), k) for u, k in keys],
    )
    by_unit: dict[str, dict[str, Layout]] = {u.code: {} for u in unit_list}
    for (u, k), layout in zip(keys, layouts, strict=True):
        by_unit[u.code][k] = layout
    last = len(win.snapshot_dates) - 1
    slots = [(u, k, i, night) for u, k in keys for i, night in enumerate(win.snapshot_dates)]
    styles = cover(
        stream(seed, "cover-styles"),
        [
            draw_style(stream(seed, int(u.code), k, i, "style"), k, formats, i == last)
            for u, k, i, _ in slots
        ],
        [k for _, k, _, _ in slots],
        [i == last for _, _, i, _ in slots],
        formats,
    )
    patterns = {
        u.code: int(stream(seed, int(u.code), "naming").integers(len(NAME_PATTERNS)))
        for u in unit_list
    }
    plans = []
    for (u, k, i, night), style in zip(slots, styles, strict=True):
        offset = int(stream(seed, int(u.code), k, i, "arrival").integers(ARRIVAL_SPREAD_S))
        plans.append(
            FilePlan(
                u,
                k,
                night,
                i,
                arrival(night, offset),
                by_unit[u.code][k],
                style,
                file_name(patterns[u.code], u, k, night, style.format),
            )
        )
    return plans, by_unit, patterns


def _lives(ctx: UnitContext) -> dict[str, Frame]:
    p = petitions.life(ctx)
    return {"petitions": p, "risks": risks.life(ctx), "backlog": backlog.life(ctx, p)}


AS_OF: dict[str, Callable[[Frame, np.datetime64], Frame]] = {
    "petitions": petitions.as_of,
    "risks": risks.as_of,
    "backlog": backlog.as_of,
}


def _snapshot(life: Frame, plan: FilePlan) -> Frame:
    frame = AS_OF[plan.kind](life, np.datetime64(plan.night))
    if plan.style.drop_closed:  # the clerk started the year's sheet with open risks only
        new_year = np.datetime64(date(plan.night.year, 1, 1))
        frame = take(frame, ~((frame["status"] == "已化解") & (frame["resolved_on"] < new_year)))
    return frame


def _entry(path: Path, inbox: Path, **fields: Any) -> FileEntry:
    with path.open("rb") as fh:
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
    return FileEntry(
        path=path.relative_to(inbox).as_posix(),
        size_bytes=path.stat().st_size,
        sha256=digest,
        **fields,
    )


def run_unit(job: UnitJob) -> UnitResult:
    """Write one unit's good snapshots and its bad files; return their entries and truth."""
    ctx = UnitContext(job.unit, job.window, job.seed)
    lives = _lives(ctx)
    out = UnitResult()
    folder = job.inbox / job.unit.code
    folder.mkdir(parents=True, exist_ok=True)
    code = int(job.unit.code)
    for plan in job.files:
        rng = stream(job.seed, code, plan.kind, plan.night_index, "render")
        frame = _snapshot(lives[plan.kind], plan)
        ledger = LEDGERS[plan.kind]
        sheet = str(rng.choice(SHEET_NAMES)).format(title=ledger.title, year=plan.night.year)
        r = render(
            frame,
            plan.layout,
            plan.style,
            titles(job.unit.name, plan.kind, job.window, plan.night, plan.style.title_rows == 2),
            sheet,
            rng,
        )
        created = datetime.combine(plan.night, time(18, 0))
        path = folder / plan.name
        path.write_bytes(
            encode(
                r.sheets,
                plan.style.format,
                plan.style.encoding,
                author=f"{job.unit.name}信访局",
                created=created,
            )
        )
        bad.touch(path, plan.arrival)
        warnings: tuple[Problem, ...] = ()
        if plan.kind == "petitions":
            header = plan.layout.header_of("id_number")
            warnings = tuple(
                Problem(int(row), header, str(value), "id_number.check_digit")
                for row, value in zip(
                    r.source_rows[r.truth["id_valid"] == 0],
                    r.truth["id_number"][r.truth["id_valid"] == 0],
                    strict=True,
                )
            )
        excel = plan.style.format != "csv"
        entry = _entry(
            path,
            job.inbox,
            unit_code=job.unit.code,
            ledger=plan.kind,
            format=plan.style.format,
            encoding=plan.style.encoding,
            snapshot_date=plan.night,
            mtime=plan.arrival,
            rows=len(r.source_rows),
            expected="accepted",
            warnings=warnings,
            quirks=tuple(sorted(r.quirks | ({"bad_id_number"} if warnings else set()))),
            sheet=r.sheet if excel else None,
            header_row=r.header_row,
        )
        out.entries.append(entry)
        out.truth[plan.kind].append(truth_table(plan.kind, entry, r.source_rows, r.truth))
    if job.bad:
        last = job.window.end
        src = bad.Source(
            ctx,
            {k: AS_OF[k](life, np.datetime64(last)) for k, life in lives.items()},
            job.layouts,
            job.name_pattern,
        )
        for b in job.bad:
            w = bad.WRITERS[b.kind](src, b, stream(job.seed, code, b.kind, "bad"))
            path = bad.materialise(w, b, job.inbox, job.manifest_dir)
            out.entries.append(
                _entry(
                    path,
                    job.inbox,
                    unit_code=w.folder,
                    ledger=w.ledger,
                    format=w.fmt,
                    encoding=w.encoding,
                    snapshot_date=last,
                    mtime=b.arrival,
                    rows=w.rows,
                    expected="rejected",
                    bad_kind=b.kind,
                    fault=w.fault,
                    note=w.note,
                    header_row=w.header_row,
                    sheet=w.sheet,
                )
            )
    return out


def generate(
    inbox: Path | None = None,
    manifest_dir: Path | None = None,
    *,
    seed: int = DEFAULT_SEED,
    units: Sequence[str] | None = None,
    province: str | None = None,
    prefecture: str = DEFAULT_PREFECTURE,
    end_month: str = "2026-10",
    months: int = 25,
    snapshots: int = 3,
    snapshot_gap_days: int = 7,
    file_format: str = "mixed",
    bad_files: bool = True,
    force: bool = False,
    jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> Manifest:
    """Write sample ledgers into ``inbox`` and the manifest into ``manifest_dir``.

    ``units`` (codes) wins over ``province``, which wins over ``prefecture``. Raises
    ``InboxNotEmptyError`` for a non-empty inbox unless ``force`` (which overwrites same-named
    files and deletes nothing).
    """
    inbox = Path(inbox) if inbox else Settings.from_env().inbox
    manifest_dir = Path(manifest_dir) if manifest_dir else default_manifest_dir()
    if file_format not in FILE_FORMATS:
        raise ValueError(f"file_format must be one of {FILE_FORMATS}")
    if not 1 <= months <= 120 or not 1 <= snapshots <= 31 or snapshot_gap_days < 1:
        raise ValueError("months must be 1-120, snapshots 1-31, snapshot_gap_days >= 1")
    if manifest_dir.resolve().is_relative_to(inbox.resolve()):
        raise ValueError("the manifest directory must not be inside the inbox")
    if inbox.exists() and any(inbox.iterdir()) and not force:
        raise InboxNotEmptyError(f"{inbox} is not empty")
    unit_list = select_units(units, province, prefecture)
    win = window(end_month, months, snapshots, snapshot_gap_days)
    plans, layouts, patterns = plan_files(seed, unit_list, win, file_format)
    bad_plans = bad.plan_bad(unit_list, arrival(win.end, 0)) if bad_files else []
    inbox.mkdir(parents=True, exist_ok=True)
    manifest_dir.mkdir(parents=True, exist_ok=True)
    unit_jobs = [
        UnitJob(
            u,
            win,
            seed,
            tuple(p for p in plans if p.unit == u),
            tuple(b for b in bad_plans if b.unit == u),
            layouts[u.code],
            patterns[u.code],
            inbox,
            manifest_dir,
        )
        for u in unit_list
    ]
    manifest = Manifest(
        manifest_dir,
        seed,
        {
            "units": [u.code for u in unit_list],
            "end_month": end_month,
            "months": months,
            "snapshots": snapshots,
            "snapshot_gap_days": snapshot_gap_days,
            "file_format": file_format,
            "bad_files": bad_files,
            "window_start": win.start.isoformat(),
            "window_end": win.end.isoformat(),
            "snapshot_dates": [d.isoformat() for d in win.snapshot_dates],
        },
        [
            {
                "code": u.code,
                "name": u.name,
                "prefecture_code": u.prefecture_code,
                "province_code": u.province_code,
            }
            for u in unit_list
        ],
    )
    truth: dict[str, list[pa.Table]] = {k: [] for k in LEDGERS}
    workers = min(jobs or os.cpu_count() or 1, len(unit_jobs))
    # Never fork the caller (it may hold threads: Airflow, DuckDB, a test runner): a forked
    # child can inherit a lock some other thread held and spin on it forever.
    spawner = multiprocessing.get_context("forkserver")
    pool_or_none = ProcessPoolExecutor(workers, mp_context=spawner) if workers > 1 else None
    with pool_or_none or nullcontext() as pool:
        results = pool.map(run_unit, unit_jobs) if pool else map(run_unit, unit_jobs)
        for i, (job, result) in enumerate(zip(unit_jobs, results, strict=True), 1):
            manifest.files.extend(result.entries)
            for kind, tables in result.truth.items():
                truth[kind].extend(tables)
            if progress:
                rows = sum(e.rows for e in result.entries if e.expected == "accepted")
                progress(
                    f"[{i}/{len(unit_jobs)}] {job.unit.code} {job.unit.name}: "
                    f"{len(result.entries)} files, {rows:,} rows"
                )
    manifest.truth_rows = {k: write_truth(manifest_dir, k, t) for k, t in truth.items()}
    manifest.write()
    return manifest
