"""One benchmark command at three scales: every stage's wall time and peak memory, beside floors
measured in the same run, and how each stage's cost grows with the number of items.

    uv run --frozen python benchmarks/scales.py --scale prefecture|province|nation|all
        [--out docs/benchmarks.md] [--months N] [--units N] [--gate-sample N]
        [--render-sample N] [--stages generate,ingest,...] [--workdir DIR] [--report-only]

Scales (sample ledgers from ``xinfang synth``: CSV, one snapshot of each ledger per unit, no bad
files; the items are the rows of those files, from the synth manifest):

- prefecture: 焦作市 (410800), its 10 county-level units, 25 months;
- province: 河南省 (410000), its first 150 county-level units by code, 24 months;
- nation: all 2,849 county-level units, 12 months (~4.5 million items).

Stages, each in a fresh process (``scale_stages.py``, or ``dbt_build.py`` for dbt): generate,
ingest, validate (the GX gate), dbt build, figures (the figures file of every reporting unit),
render (the bulletins); and the floors: DuckDB's ``read_csv`` of the same files (ingest), the
compiled dbt models as raw SQL (dbt build), WeasyPrint on the same HTML without charts (render).
The gate and the bulletins can be run on an even sample of the files or units
(``--gate-sample``, ``--render-sample``; the nation's defaults) and their times extrapolated.

Each scale's results go to ``<workdir>/<scale>/results.json`` after every stage (so
``--stages`` can resume a failed run); a new run keeps the previous one's as
``results-<date>.json``, which the report compares (repeatability). ``--out`` writes the report
of every scale found there; ``--report-only`` writes it without running anything.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import machine, measure

from xinfang.config import PROJECT_ROOT
from xinfang.reference import units, units_of_prefecture

HERE = Path(__file__).resolve().parent
END_MONTH = "2026-10"
LINEAR_WITHIN = 1.5


@dataclass(frozen=True)
class Scale:
    name: str
    description: str
    units: Callable[[], list[str]]
    months: int
    gate_sample: int | None = None  # files the gate checks (None: all)
    render_sample: int | None = None  # bulletins rendered (None: all)


def _prefecture() -> list[str]:
    return sorted(u.code for u in units_of_prefecture("410800"))


def _province() -> list[str]:
    return sorted(c for c, u in units().items() if u.province_code == "410000")[:150]


def _nation() -> list[str]:
    return sorted(units())


SCALES = {
    "prefecture": Scale("prefecture", "焦作市 410800, its county-level units", _prefecture, 25),
    "province": Scale(
        "province", "河南省 410000, its first 150 county-level units by code", _province, 24
    ),
    "nation": Scale("nation", "every county-level unit", _nation, 12, 600, 300),
}


@dataclass(frozen=True)
class Stage:
    name: str
    label: str
    per: str | None  # what its cost follows besides items: file | unit
    floor_of: str | None = None


STAGES = [
    Stage("generate", "generate (synth, CSV)", "file"),
    Stage("ingest", "ingest (read, normalise, pseudonymise, load)", "file"),
    Stage("ingest_floor", "floor: DuckDB read_csv of the same files", "file", "ingest"),
    Stage("validate", "validate (GX gate, audit, Data Docs)", "file"),
    Stage("dbt", "dbt build", None),
    Stage("dbt_floor", "floor: compiled models as raw SQL", None, "dbt"),
    Stage("figures", "figures (JSON of every unit)", "unit"),
    Stage("render", "render (bulletins, issued)", "unit"),
    Stage("render_floor", "floor: WeasyPrint, same HTML, no charts", "unit", "render"),
]
BY_NAME = {s.name: s for s in STAGES}
FLOORS = {s.floor_of: s.name for s in STAGES if s.floor_of}


# --- running ------------------------------------------------------------------------------------


def environment(root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "XINFANG_HOME": str(root),
        "XINFANG_INBOX": str(root / "inbox"),
        "XINFANG_WAREHOUSE": str(root / "warehouse.duckdb"),
        "XINFANG_ARCHIVE": str(root / "archive"),
        "XINFANG_REPORTS": str(root / "reports"),
        "XINFANG_PII_KEY": os.environ.get("XINFANG_PII_KEY", "benchmark-pseudonymisation-key"),
        "GX_ANALYTICS_ENABLED": "false",
    }


def command(stage: str, root: Path, plan: dict[str, Any]) -> list[str]:
    if stage in ("dbt", "dbt_floor"):
        phase = "build" if stage == "dbt" else "raw"
        warehouse, target = root / "warehouse.duckdb", root / "target"
        return [sys.executable, str(HERE / "dbt_build.py"), "--phase", phase,
                "--warehouse", str(warehouse), "--target", str(target)]  # fmt: skip
    out = [sys.executable, str(HERE / "scale_stages.py"), stage, "--root", str(root)]
    if stage == "generate":
        out += ["--units", ",".join(plan["units"]), "--months", str(plan["months"])]
        out += ["--end-month", END_MONTH]
    if stage in ("figures", "render", "render_floor"):
        out += ["--month", END_MONTH]
    n = plan["gate_sample"] if stage == "validate" else None
    n = plan["render_sample"] if stage in ("render", "render_floor") else n
    return out + (["--sample", str(n)] if n else [])


def run_scale(scale: Scale, args: argparse.Namespace) -> dict[str, Any]:
    root = args.workdir / scale.name
    path = root / "results.json"
    if "generate" in args.stages:
        earlier = json.loads(path.read_text()) if path.exists() else None
        shutil.rmtree(root, ignore_errors=True)
        if earlier:  # kept for the report's repeatability section
            root.mkdir(parents=True)
            stamp = re.sub(r"[^0-9T]", "", earlier["machine"]["date"][:16])
            (root / f"results-{stamp}.json").write_text(json.dumps(earlier, indent=1))
        codes = scale.units()[: args.units]
        results: dict[str, Any] = {
            "scale": scale.name,
            "description": scale.description,
            "plan": {
                "units": codes,
                "months": args.months or scale.months,
                "end_month": END_MONTH,
                "gate_sample": args.gate_sample or scale.gate_sample,
                "render_sample": args.render_sample or scale.render_sample,
            },
            "stages": {},
        }
    else:
        results = json.loads(path.read_text())
    root.mkdir(parents=True, exist_ok=True)
    results["machine"] = machine()
    for stage in args.stages:
        print(f"{scale.name}: {stage} ...", file=sys.stderr, flush=True)
        measured = measure(command(stage, root, results["plan"]), environment(root))
        results["stages"][stage] = measured.to_dict()
        print(f"{scale.name}: {stage}: {measured.wall:.1f} s wall, {measured.cpu:.1f} s CPU, "
              f"{measured.peak_rss_mb:.0f} MB, load {measured.load:.2f}",
              file=sys.stderr, flush=True)  # fmt: skip
        path.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    return results


# --- reporting ----------------------------------------------------------------------------------


def items(r: dict[str, Any]) -> int:
    return r["stages"]["generate"]["result"]["items"]


def files(r: dict[str, Any]) -> int:
    return r["stages"]["generate"]["result"]["files"]


def reporting_units(r: dict[str, Any]) -> int | None:
    figures = r["stages"].get("figures")
    return figures["result"]["units"] if figures else None


def work(r: dict[str, Any], stage: str) -> float | None:
    """The stage's seconds of work (extrapolated to every file or unit when sampled)."""
    s = r["stages"].get(stage)
    return s["result"]["seconds"] if s else None


def cpu(r: dict[str, Any], stage: str) -> float | None:
    """The stage process tree's CPU seconds (scaled like its work when sampled, start-up too)."""
    s = r["stages"].get(stage)
    if not s:
        return None
    res = s["result"]
    return (
        s["cpu"] * res["seconds"] / res["measured_seconds"] if res.get("extrapolated") else s["cpu"]
    )


def sampled(r: dict[str, Any], stage: str) -> str:
    res = r["stages"].get(stage, {}).get("result", {})
    if not res.get("extrapolated"):
        return ""
    if "files_total" in res:
        return f"{res['files']} of {res['files_total']} files"
    return f"{res['units']} of {res['units_total']} bulletins"


def _n(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def table(all_results: list[dict[str, Any]]) -> str:
    head = ("| stage | scale | items | wall s | work s | CPU s | peak RSS MB (largest process) "
            "| peak RSS MB (all processes) | µs per item | × floor | load (1 min) "
            "| others' CPU |")  # fmt: skip
    lines = [head, "|" + "---|" * head.count(" | ") + "---|"]
    for stage in STAGES:
        for r in all_results:
            s = r["stages"].get(stage.name)
            if s is None:
                continue
            w = work(r, stage.name)
            floor = FLOORS.get(stage.name)
            ratio = w / work(r, floor) if floor and work(r, floor) else None
            note = sampled(r, stage.name)
            label = stage.label if not note else f"{stage.label} ({note}, extrapolated)"
            lines.append(
                f"| {label} | {r['scale']} | {items(r):,} | {_n(s['wall'])} | {_n(w)} "
                f"| {_n(s['cpu'])} | {_n(s['peak_rss_mb'], 0)} | {_n(s['tree_rss_mb'], 0)} "
                f"| {_n(w / items(r) * 1e6, 1)} | {_n(ratio, 2) if ratio else ''} "
                f"| {s['load']:.2f} | {s['others_cpu']:.0%} |"
            )
    return "\n".join(lines)


COUNTS: dict[str, Callable[[dict[str, Any]], int | None]] = {
    "item": items, "file": files, "unit": reporting_units,
}  # fmt: skip


Metric = Callable[[dict[str, Any], str], float | None]


def _margins(runs: list[dict[str, Any]], stage: str, per: str, metric: Metric) -> list[float]:
    """Seconds per further item (file, unit) between consecutive scales: fixed costs cancel."""
    count = COUNTS[per]
    return [
        (metric(b, stage) - metric(a, stage)) / (count(b) - count(a))
        for a, b in itertools.pairwise(runs)
    ]


def _steps(runs: list[dict[str, Any]], values: list[float], unit: str) -> str:
    return ", ".join(
        f"{v:,.{3 if unit == 's' else 1}f} {unit} from {a['scale']} to {b['scale']}"
        for v, (a, b) in zip(values, itertools.pairwise(runs), strict=True)
    )


def _per_count(runs: list[dict[str, Any]], stage: Stage) -> str:
    """The CPU time per further file or reporting unit: what some stages follow rather than
    items (the nation's ledgers hold 12 months, the others' about 24)."""
    count = COUNTS[stage.per]
    if len(runs) < 3 or not all(count(r) for r in runs):
        return ""
    costs = _margins(runs, stage.name, stage.per, cpu)
    if min(costs) <= 0:
        return ""
    linear = max(costs) / min(costs) <= LINEAR_WITHIN
    density = ", ".join(f"{items(r) / count(r):,.0f}" for r in runs)
    return (
        f"; per further {stage.per}: {_steps(runs, costs, 's')} — "
        f"{'linear' if linear else 'not linear'} in {stage.per}s, whose items number {density}"
    )


def _verdict(runs: list[dict[str, Any]], stage: str, metric: Metric) -> tuple[str, str]:
    """Linear, better or worse, and why: from the cost per item and per further item."""
    per_item = [metric(r, stage) / items(r) * 1e6 for r in runs]
    spread = max(per_item) / min(per_item)
    if spread <= LINEAR_WITHIN:
        return "linear", f": the cost per item stays within {spread:.2f}×"
    first, last = runs[0]["scale"], runs[-1]["scale"]
    trend = per_item[-1] / per_item[0]
    margins = [m * 1e6 for m in _margins(runs, stage, "item", metric)]
    further = f"each further item costs {_steps(runs, margins, 'µs')}"
    if len(margins) < 2 or min(margins) <= 0:
        if trend < 1:
            return "better than linear", (
                f": the cost per item falls {1 / trend:.1f}× from {first} to {last} as fixed "
                f"costs (start-up, imports, first use of fonts or GX) spread; {further}"
            )
        return "worse than linear", f": the cost per item rises {trend:.2f}× from {first} to {last}"
    ratio = margins[-1] / margins[0]
    if ratio > LINEAR_WITHIN:
        return "worse than linear", f" at the margin: {further} ({ratio:.2f}×)"
    if ratio < 1 / LINEAR_WITHIN:
        return "better than linear", f" at the margin: {further} ({ratio:.2f}×)"
    return "linear", (
        f" once its fixed cost is paid: the cost per item changes {trend:.2f}× from {first} to "
        f"{last}, but {further} (within {LINEAR_WITHIN}×)"
    )


def _per_item(runs: list[dict[str, Any]], stage: str, metric: Metric) -> str:
    return ", ".join(f"{metric(r, stage) / items(r) * 1e6:,.1f}" for r in runs)


def growth(all_results: list[dict[str, Any]]) -> list[str]:
    """Per stage: the CPU time per item at each scale and whether it grows linearly (the cost
    per item within ``LINEAR_WITHIN``, or, past fixed costs, the cost of further items); when
    it does not, the cost per further file or unit. CPU time, because the other work on this
    machine changes wall times far more (see the repeatability section)."""
    out = []
    for stage in STAGES:
        runs = [r for r in all_results if work(r, stage.name)]
        if len(runs) < 2:
            continue
        verdict, why = _verdict(runs, stage.name, cpu)
        line = (
            f"- {stage.label}: CPU {_per_item(runs, stage.name, cpu)} µs per item at "
            f"{', '.join(r['scale'] for r in runs)} (work {_per_item(runs, stage.name, work)} "
            f"µs) — **{verdict}**{why}"
        )
        if verdict != "linear" and stage.per:
            line += _per_count(runs, stage)
        out.append(line + ".")
    return out


def _machine_lines(m: dict[str, Any]) -> list[str]:
    packages = ", ".join(f"{k} {v}" for k, v in m["packages"].items())
    return [
        f"- CPU: {m['cpu']}, {m['cores']} cores; RAM {m['ram_gib']} GiB",
        f"- OS: {m['os']}",
        f"- Python: {m['python']}",
        f"- Packages: {packages}",
    ]


def _scale_lines(all_results: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| scale | what | units | months | files | items | reporting units | run on "
        "| mean load (1 min) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in all_results:
        loads = [s["load"] for s in r["stages"].values()]
        plan = r["plan"]
        lines.append(
            f"| {r['scale']} | {r['description']} | {len(plan['units']):,} | {plan['months']} "
            f"| {files(r):,} | {items(r):,} | {_n(reporting_units(r), 0)} "
            f"| {r['machine']['date']} | {sum(loads) / len(loads):.2f} |"
        )
    return lines


GX_PROFILE = """\
  In a warm process (measured apart, 2026-11-30, on the nation's and the province's inputs)
  one petitions ledger's row checks took 0.224 s at 716 rows and 0.228 s at 1,614 rows
  (risks ~0.13 s, backlog ~0.15 s, whatever their rows). A profile of 39 of them: about half
  of GX's time goes to `Expectation.configuration`, which GX rebuilds (pydantic `.dict()` and
  copies) on each of ~1,800 accesses per suite validation while building its metric graph;
  under a fifth goes to computing the metrics on the rows."""


def _within(values: list[float]) -> str:
    ratio = max(values) / min(values)
    return f"{'within' if ratio <= LINEAR_WITHIN else 'not within'} {LINEAR_WITHIN}× of each other"


def _runs(all_results: list[dict[str, Any]], stage: str) -> list[dict[str, Any]]:
    return [r for r in all_results if work(r, stage)]


def _follows_counts(all_results: list[dict[str, Any]]) -> list[str]:
    """The stages worse than linear per item but linear per file or per unit."""
    out = []
    for stage in STAGES:
        runs = _runs(all_results, stage.name)
        if len(runs) < 3 or not stage.per or _verdict(runs, stage.name, cpu)[0] == "linear":
            continue
        costs = _margins(runs, stage.name, stage.per, cpu)
        if min(costs) > 0 and max(costs) / min(costs) <= LINEAR_WITHIN:
            out.append(f"{stage.label} ({', '.join(f'{c:.3f}' for c in costs)} s per {stage.per})")
    return out


def findings(all_results: list[dict[str, Any]], workdir: Path) -> list[str]:
    """What the growth verdicts come from, with the numbers behind them."""
    out = []
    follows = _follows_counts(all_results)
    if follows:
        density = ", ".join(f"{items(r) / files(r):,.0f}" for r in all_results)
        out.append(
            "- **Per item, the stages that work file by file or bulletin by bulletin look worse "
            "than linear at the nation's scale, and are linear in files or bulletins:** "
            + "; ".join(follows)
            + " of CPU per further one. The nation's ledgers hold 12 months, the others' 24 or "
            f"25, so its files hold half the items ({density} items per file): the same cost "
            "per file is twice the cost per item. None costs more per file or bulletin at a "
            "larger scale."
        )
    runs = _runs(all_results, "validate")
    if len(runs) == len(SCALES):
        per_file = _margins(runs, "validate", "file", cpu)
        docs = [
            r["stages"]["validate"]["result"]["data_docs_seconds"]
            / (2 * r["stages"]["validate"]["result"]["files"])
            for r in runs
        ]
        nation = runs[-1]
        out += [
            "- **The gate's cost follows submissions, not rows.** Each further file costs "
            f"{_steps(runs, per_file, 's')} of CPU ({_within(per_file)}), while the items per "
            "file are " + ", ".join(f"{items(r) / files(r):,.0f}" for r in runs) + ": the "
            "nation's ledgers hold 12 months, so its cost per item roughly doubles. A full load of "
            "the "
            f"nation's {files(nation):,} files costs ≈ {work(nation, 'validate') / 60:,.0f} min "
            "of gate on this machine (extrapolated from the sample).",
            GX_PROFILE,
            "- **The Data Docs are rebuilt from the whole history after every ingestion run.** "
            "Each validation run recorded (two per file: the row checks and the comparison) "
            "costs " + ", ".join(f"{d:.3f} s" for d in docs) + " to render at the three scales, "
            "but `build_data_docs` renders every run in "
            "`audit.validation_runs`, and ingestion calls it after each run: a night's cost "
            f"grows with all the nights before it. One nation load alone adds "
            f"{2 * files(nation):,} runs, ≈ {2 * files(nation) * docs[-1] / 60:,.0f} min of "
            "rendering that every later night repeats.",
        ]
    runs = _runs(all_results, "render")
    if len(runs) == len(SCALES):
        per_unit = _margins(runs, "render", "unit", cpu)
        floor = _margins(runs, "render_floor", "unit", cpu)
        out.append(
            "- **Rendering follows bulletins, not items.** Each further bulletin costs "
            f"{_steps(runs, per_unit, 's')} of CPU (WeasyPrint alone, without charts: "
            f"{_steps(runs, floor, 's')}): {_within(per_unit)}. The nation has half the items "
            "per bulletin, so per item it costs about twice as much."
        )
    runs = _runs(all_results, "dbt")
    if len(runs) == len(SCALES) and all(work(r, "dbt_floor") for r in runs):
        ratios = ", ".join(f"{work(r, 'dbt') / work(r, 'dbt_floor'):.2f}×" for r in runs)
        memory = ", ".join(
            f"{r['stages']['dbt']['peak_rss_mb'] / 1024:.1f} GB (raw SQL "
            f"{r['stages']['dbt_floor']['peak_rss_mb'] / 1024:.1f} GB)"
            for r in runs
        )
        nodes, models = (runs[-1]["stages"][k]["result"][n] for k, n in
                         (("dbt", "nodes"), ("dbt_floor", "models")))  # fmt: skip
        out.append(
            f"- **dbt build** costs {ratios} the raw-SQL floor, which runs the {models} models "
            f"only, one at a time; dbt runs {nodes} nodes (seeds, models, unit and data tests), "
            f"two at a time. Its peak memory: {memory}."
        )
    stages = [s for r in all_results for s in r["stages"].values()]
    others = [s["others_cpu"] for s in stages]
    loads = [s["load"] for s in stages]
    repeated = [(n, st.label, _spread(h, st.name, work), _spread(h, st.name, cpu))
                for n in SCALES if len(h := history(workdir, n)) > 1 for st in STAGES]  # fmt: skip
    text = (
        "- **Contention.** Other helpers' test runs shared the two cores throughout: they took "
        f"{min(others):.0%}–{max(others):.0%} of the machine's CPU time while the stages ran "
        f"(mean 1-minute load {min(loads):.1f}–{max(loads):.1f})."
    )
    if repeated:
        scale, label, worst, its_cpu = max(repeated, key=lambda x: x[2])
        text += (
            f" Run again, a stage's work differed by up to {worst:.1f}× ({label}, {scale}) "
            f"while its CPU time differed {its_cpu:.2f}×, and no stage's CPU time by more than "
            f"{max(x[3] for x in repeated):.2f}× (see Repeatability): hence the growth verdicts "
            "on CPU time. Wall times here are upper bounds for a machine of one's own."
        )
    out.append(text)
    return out


METHOD = """\
## How it is measured

- Every stage runs in a fresh process. **wall** is that process from start to exit (imports
  included); **work** is what the stage times itself after its imports (for sampled stages,
  extrapolated to every file or unit: the seconds per file or bulletin × the total, plus the
  gate's start-up once; their wall, CPU and memory are the sample run's); **CPU** is user +
  system time of the process and all its workers; **peak RSS (largest process)** is
  `wait4`'s `ru_maxrss` (the largest single process of the tree), **(all processes)** the
  largest sum of the tree's resident sets sampled every 0.2 s (the workers run at once).
- **items** are the data rows of the sample ledgers (petitions, risks and backlog, one snapshot
  of each ledger per unit), counted from the synth manifest. **µs per item** is work / items.
- generate: `xinfang synth` as CSV, 2 worker processes.
- ingest: `ingest_inbox` with its pool of 2 parse processes and the serial loader. The quality
  gate, which runs inside parsing in production, is timed apart: here its call writes the
  gate's inputs to disk instead (the seconds that takes are in the results JSON,
  `gate_inputs_written_seconds`, summed over the workers).
- ingest floor: DuckDB `read_csv` (all columns as text) of every file into its own table of one
  new database file; GB18030 files are transcoded to UTF-8 in Python first (DuckDB 2.0 cannot
  read them without an extension).
- validate: the gate exactly as ingestion runs it, on those inputs: the suite's row checks in 2
  worker processes, then per submission, in arrival order and one transaction each, the
  comparison with the unit's previous submission and the audit record; then the Data Docs
  rebuilt as ingestion does after every run (which renders every validation run recorded).
- dbt build / floor: `benchmarks/dbt_build.py --phase build` (dbtRunner in-process: seeds,
  models, unit and data tests) and `--phase raw` (the same compiled models, executed as
  `CREATE OR REPLACE TABLE … AS <compiled SQL>` in DAG order, no tests).
- figures: `figures_for_many` for every reporting unit (counties and their prefectures) for
  the month, each written as its JSON file.
- render: the bulletins' contexts read from the warehouse, then `issue_all` with 2 warm worker
  processes (PDF/A-3b with the figures and the quality annex attached, issued into the reports
  folder with its index). Floor: the same pages' HTML, made beforehand with the three charts
  replaced by an empty image, written to PDF by WeasyPrint in 2 warm worker processes (no
  PDF/A, no attachments).
- **load** is the mean 1-minute load average while the stage ran (this benchmark's own
  processes count in it: up to 2–3 when its pools are busy); **others' CPU** is the share of the
  machine's CPU time used meanwhile by processes that are not the stage's (from `/proc/stat`
  less the stage's own CPU time): what other work on this shared machine took from it.
"""


def history(workdir: Path, scale: str) -> list[dict[str, Any]]:
    """Every complete run of ``scale`` kept in ``workdir``, oldest first."""
    runs = [json.loads(p.read_text()) for p in (workdir / scale).glob("results*.json")]
    runs = [r for r in runs if all(s.name in r["stages"] for s in STAGES)]
    return sorted(runs, key=lambda r: r["machine"]["date"])


def _spread(runs: list[dict[str, Any]], stage: str, metric: Metric) -> float:
    values = [metric(r, stage) for r in runs]
    return max(values) / min(values)


def repeatability(workdir: Path) -> list[str]:
    """Every stage's work in each run of the same scale, beside what other processes took."""
    lines = []
    for name in SCALES:
        runs = history(workdir, name)
        if len(runs) < 2:
            continue
        dates = " / ".join(r["machine"]["date"][:16].replace("T", " ") for r in runs)
        lines += [
            f"**{name}** (runs of {dates}): work s / CPU s (others' CPU)",
            "",
            "| stage | "
            + " | ".join(f"run {i + 1}" for i in range(len(runs)))
            + " | max / min (work / CPU) |",
            "|---|" + "---|" * (len(runs) + 1),
        ]
        for stage in STAGES:
            cells = " | ".join(
                f"{work(r, stage.name):,.1f} / {cpu(r, stage.name):,.1f} "
                f"({r['stages'][stage.name]['others_cpu']:.0%})"
                for r in runs
            )
            spreads = (_spread(runs, stage.name, m) for m in (work, cpu))
            lines.append(
                f"| {stage.label} | {cells} | {' / '.join(f'{x:.2f}×' for x in spreads)} |"
            )
        lines.append("")
    return lines


def report(all_results: list[dict[str, Any]], workdir: Path) -> str:
    newest = max(all_results, key=lambda r: r["machine"]["date"])["machine"]
    lines = [
        "# Benchmarks: the pipeline at three scales",
        "",
        "Generated by `uv run --frozen python benchmarks/scales.py --scale all "
        "--out docs/benchmarks.md` (each scale can be run alone; the report gathers every "
        "scale's latest results). Numbers are from single runs on a shared machine: read them "
        "with the load columns.",
        "",
        "## Machine",
        "",
        *_machine_lines(newest),
        "",
        "## Scales",
        "",
        *_scale_lines(all_results),
        "",
        "## Results",
        "",
        table(all_results),
        "",
        "## Growth (CPU time per item, smallest to largest scale)",
        "",
        f"Linear: the CPU time per item stays within {LINEAR_WITHIN}× across scales, or, once "
        "the fixed cost of a run (start-up, imports) is paid, each further item costs within "
        f"{LINEAR_WITHIN}× of what it cost between the smaller scales. CPU time (all the "
        "stage's processes) rather than wall time, because the other work on this machine "
        "moved wall times far more than CPU times between runs (see Contention and "
        "Repeatability).",
        "",
        *growth(all_results),
        "",
        "## Findings",
        "",
        *findings(all_results, workdir),
        "",
        "## Repeatability",
        "",
        "The same scale run again on this shared machine, the other helpers' work being "
        "different: how far single runs are from each other.",
        "",
        *repeatability(workdir),
        METHOD,
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=[*SCALES, "all"], required=True)
    parser.add_argument("--out", type=Path, help="write the report (markdown) here")
    parser.add_argument("--workdir", type=Path, default=PROJECT_ROOT / "var" / "bench" / "scales")
    parser.add_argument("--months", type=int, help="months of ledgers (default: the scale's)")
    parser.add_argument("--units", type=int, help="only the scale's first N units")
    parser.add_argument("--gate-sample", type=int, help="files the gate checks (default: all)")
    parser.add_argument("--render-sample", type=int, help="bulletins rendered (default: all)")
    parser.add_argument(
        "--stages",
        type=lambda s: s.split(","),
        default=[s.name for s in STAGES],
        help="comma-separated, in order (default: all; without generate, resume the last run)",
    )
    parser.add_argument(
        "--report-only", action="store_true", help="run nothing: report the saved results"
    )
    args = parser.parse_args()
    unknown = set(args.stages) - set(BY_NAME)
    if unknown:
        parser.error(f"unknown stages: {', '.join(sorted(unknown))}")
    chosen = list(SCALES) if args.scale == "all" else [args.scale]
    for name in chosen if not args.report_only else ():
        run_scale(SCALES[name], args)
    found = [args.workdir / s / "results.json" for s in SCALES]
    all_results = [json.loads(p.read_text()) for p in found if p.exists()]
    all_results = [r for r in all_results if "generate" in r["stages"]]
    print(table(all_results))
    print("\n".join(["", *growth(all_results)]))
    if args.out:
        args.out.write_text(report(all_results, args.workdir) + "\n", "utf-8")
        print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
