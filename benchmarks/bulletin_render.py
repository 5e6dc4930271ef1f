"""Bulletin rendering: seconds per bulletin in one warm process, and a province on two cores.

    uv run python benchmarks/bulletin_render.py [--prefecture 410800] [--province 410000]
                                                [--units 150] [--workers 2]

1. Per bulletin: every county of ``--prefecture`` and the prefecture itself, rendered one after
   the other in this (warm) process; median, min and max seconds, plus the median split into
   view (prose, charts), layout and PDF writing.
2. Province: ``--units`` county bulletins of ``--province`` rendered by ``--workers`` warm
   processes and issued (files, index) into a temporary reports folder; wall seconds from the
   first submission to the last file, pool start-up included.

Figures are synthetic (the tests' fixture files). Targets: a median of at most 0.75 s per
bulletin, and at most 120 s for a 150-unit province.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import load
from weasyprint import HTML

from xinfang import reference
from xinfang.bulletin import view
from xinfang.bulletin.batch import settled_gc
from xinfang.bulletin.cli import issue_all
from xinfang.bulletin.render import PDF_VARIANT, Renderer
from xinfang.config import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "tests"))
from bulletin.bulletin_figures import county_context, prefecture_context

PERIOD = "2025-10"


def per_bulletin(prefecture: str) -> None:
    contexts = [county_context(u.code, PERIOD) for u in reference.units_of_prefecture(prefecture)]
    contexts.append(prefecture_context(prefecture, PERIOD))
    renderer = Renderer()
    renderer.warm()
    totals, cpu, phases = [], [], []
    with settled_gc():  # as render_all does
        for ctx in contexts:
            start, start_cpu = time.perf_counter(), time.process_time()
            renderer.render(ctx)
            totals.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    for ctx in contexts:  # the same work in phases, to see where the time goes
        t0 = time.perf_counter()
        page = view.build(ctx)
        t1 = time.perf_counter()
        html = renderer.template.render(**page, timestamp="2025-11-05T00:00:00+08:00")
        document = HTML(string=html).render(
            stylesheets=renderer.stylesheets, font_config=renderer.font_config
        )
        t2 = time.perf_counter()
        document.write_pdf(pdf_variant=PDF_VARIANT)
        phases.append((t1 - t0, t2 - t1, time.perf_counter() - t2))
    print(f"per bulletin, {len(contexts)} units of {prefecture}, one warm process:")
    print(
        f"  median {statistics.median(totals):.3f} s  min {min(totals):.3f} s"
        f"  max {max(totals):.3f} s  (target <= 0.75 s);"
        f" CPU median {statistics.median(cpu):.3f} s"
    )
    view_s, layout_s, write_s = (statistics.median(p[i] for p in phases) for i in range(3))
    print(f"  median split: view+charts {view_s:.3f}  layout {layout_s:.3f}  write {write_s:.3f}")


def province(code: str, units: int, workers: int) -> None:
    counties = sorted(u.code for u in reference.units().values() if u.province_code == code)
    contexts = [county_context(c, PERIOD) for c in counties[:units]]
    with tempfile.TemporaryDirectory() as reports:
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):  # one line per bulletin
            paths, failures = issue_all(contexts, Path(reports), workers)
        elapsed = time.perf_counter() - start
    print(f"province {code}: {len(paths)} bulletins issued, {failures} failed, {workers} workers:")
    print(f"  {elapsed:.1f} s  ({elapsed / len(contexts):.3f} s per bulletin, target <= 120 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefecture", default="410800", help="default: 410800 焦作市")
    parser.add_argument("--province", default="410000", help="default: 410000 河南省")
    parser.add_argument("--units", type=int, default=150)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(load())
    per_bulletin(args.prefecture)
    province(args.province, args.units, args.workers)
    print(load())


if __name__ == "__main__":
    main()
