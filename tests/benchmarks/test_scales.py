"""benchmarks/scales.py: one end-to-end run at a small prefecture scale, and its growth verdicts.

The end-to-end run is the prefecture scale cut to 2 units and 1 month (~1 minute; the full
prefecture takes 2-3): every stage and floor must run and report positive times and memory. The
growth verdicts are checked on made-up results whose costs are known.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from xinfang.config import PROJECT_ROOT
from xinfang.synth import Manifest

BENCHMARKS = PROJECT_ROOT / "benchmarks"


@pytest.fixture(scope="module")
def scales():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import scales
    finally:
        sys.path.remove(str(BENCHMARKS))
    return scales


@pytest.fixture(scope="module")
def small_run(tmp_path_factory) -> tuple[Path, dict, str]:
    workdir = tmp_path_factory.mktemp("scales")
    out = workdir / "benchmarks.md"
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "scales.py"), "--scale", "prefecture", "--units", "2",
         "--months", "1", "--workdir", str(workdir), "--out", str(out)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((workdir / "prefecture" / "results.json").read_text())
    return workdir, results, out.read_text()


@pytest.mark.slow
def test_every_stage_and_floor_reports_time_and_memory(small_run, scales):
    _, results, _ = small_run
    assert list(results["stages"]) == [s.name for s in scales.STAGES]
    for name, stage in results["stages"].items():
        assert stage["wall"] > 0 and stage["cpu"] > 0, name
        assert stage["result"]["seconds"] > 0, name
        assert stage["result"]["seconds"] < stage["wall"], name  # imports and start-up apart
        assert stage["peak_rss_mb"] > 50 and stage["tree_rss_mb"] > 0, name
        assert stage["load"] >= 0 and 0 <= stage["others_cpu"] <= 1, name


@pytest.mark.slow
def test_items_come_from_the_manifest_and_every_stage_covers_them(small_run):
    workdir, results, _ = small_run
    manifest = Manifest.load(workdir / "prefecture" / "synth")
    stages = {k: v["result"] for k, v in results["stages"].items()}
    items = sum(manifest.truth_rows.values())
    assert stages["generate"]["items"] == items and len(manifest.units) == 2
    assert stages["ingest"]["rows"] == items and stages["ingest"]["files"] == len(manifest.files)
    assert stages["ingest_floor"]["rows"] >= items  # DuckDB reads total and blank rows too
    assert stages["validate"]["outcomes"] == {"accepted": len(manifest.files)}
    assert stages["figures"]["units"] == 3  # two counties and their prefecture
    assert stages["render"]["units"] == stages["render_floor"]["units"] == 3
    pdfs = list((workdir / "prefecture" / "bulletins").glob("*/*.pdf"))
    assert len(pdfs) == 3


@pytest.mark.slow
def test_report_has_the_machine_every_stage_and_the_floor_ratios(small_run, scales):
    _, results, report = small_run
    assert f"{results['machine']['cores']} cores" in report
    assert "great-expectations" in report and "weasyprint" in report
    rows = {
        line.split(" | ")[0].lstrip("| "): line.split(" | ")
        for line in report.splitlines()
        if line.startswith("| ") and " | prefecture | " in line
    }
    assert set(rows) == {s.label for s in scales.STAGES}
    for stage in scales.STAGES:
        ratio = rows[stage.label][9]
        if stage.name in scales.FLOORS:  # ingest, dbt and render against their floors
            assert float(ratio) > 0
        else:
            assert ratio == ""


def _result(scale: str, items: int, files: int, seconds: float) -> dict:
    """A scale's results as far as the growth verdicts read them (CPU time = work)."""
    return {
        "scale": scale,
        "stages": {
            "generate": {"result": {"items": items, "files": files, "seconds": 1.0}, "cpu": 1.0},
            "validate": {"result": {"seconds": seconds}, "cpu": seconds},
        },
    }


def _validate_line(scales, runs: list[dict]) -> str:
    (line,) = [g for g in scales.growth(runs) if g.startswith("- validate")]
    return line


def test_growth_calls_a_steady_cost_per_item_linear(scales):
    line = _validate_line(scales, [_result("a", 1000, 10, 2.0), _result("b", 100_000, 1000, 260.0)])
    assert "CPU 2,000.0, 2,600.0 µs per item at a, b (work 2,000.0, 2,600.0 µs)" in line
    assert "**linear**: the cost per item stays within 1.30×" in line


def test_growth_sees_past_a_fixed_cost(scales):
    # 10 s fixed + 100 µs per item
    runs = [_result("a", 1000, 10, 10.1), _result("b", 100_000, 1000, 20.0),
            _result("c", 1_000_000, 10_000, 110.0)]  # fmt: skip
    line = _validate_line(scales, runs)
    assert "**linear** once its fixed cost is paid" in line
    assert "each further item costs 100.0 µs from a to b, 100.0 µs from b to c" in line


def test_growth_explains_a_cost_that_follows_files_not_items(scales):
    # 1 s fixed + 0.2 s per file; c's files hold half as many items
    runs = [_result("a", 1000, 10, 3.0), _result("b", 10_000, 100, 21.0),
            _result("c", 50_000, 1000, 201.0)]  # fmt: skip
    line = _validate_line(scales, runs)
    assert "**worse than linear** at the margin: each further item costs 2,000.0 µs from a to " \
           "b, 4,500.0 µs from b to c (2.25×)" in line  # fmt: skip
    assert "per further file: 0.200 s from a to b, 0.200 s from b to c — linear in files, " \
           "whose items number 100, 100, 50" in line  # fmt: skip


def test_growth_calls_falling_costs_better_than_linear(scales):
    line = _validate_line(
        scales, [_result("a", 1000, 10, 20.0), _result("b", 100_000, 1000, 200.0)]
    )
    assert "**better than linear**: the cost per item falls 10.0× from a to b" in line
