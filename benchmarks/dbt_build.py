"""dbt build time against the raw-SQL floor, at demo and province scale.

For each scale a raw layer is generated directly in DuckDB SQL (xinfang.warehouse DDL, two
accepted snapshots per unit and ledger, so the _current views and the status history have
versions to choose from):

- demo: the 10 counties of 焦作市, 25 months, 320 items per county and month (~80k items);
- province: 150 counties of 河南省, 24 months, 300 items per county and month (1.08M items).

Then, each in a fresh process on the same data in the same run:

1. ``dbt build`` (seeds, models, unit tests, data tests), in-process with dbtRunner;
2. ``dbt run`` (the models alone);
3. the raw-SQL floor: the same compiled models (target/manifest.json) executed directly in
   DuckDB as ``CREATE OR REPLACE TABLE ... AS <compiled SQL>``, in DAG order.

Each reports wall time (the dbt invocation, without the ~6 s of imports, listed apart) and the
process's peak RSS; runs 2 and 3 are repeated, interleaved, and their medians compared.
Target: dbt run <= 1.5 x the raw-SQL floor at province scale.

    uv run python benchmarks/dbt_build.py [--scale demo|province|both] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from xinfang.schema import CATEGORIES
from xinfang.warehouse import connect

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "dbt_project" / "seeds"


@dataclass(frozen=True)
class Scale:
    name: str
    where: str  # which counties of ref_units
    units: int
    months: int
    items_per_month: int
    risks_per_month: int
    cases_per_unit: int
    start: str = "2024-11-01"


SCALES = {
    "demo": Scale("demo", "prefecture_code = '410800'", 10, 25, 320, 60, 80),
    "province": Scale("province", "province_code = '410000'", 150, 24, 300, 50, 60),
}


def _list(values: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + "]"


def generate(scale: Scale, path: Path) -> dict[str, int]:
    """The raw layer of ``scale`` in a new warehouse file; returns row counts."""
    path.unlink(missing_ok=True)
    con = connect(path)
    s = scale
    end = f"(DATE '{s.start}' + INTERVAL {s.months} MONTH)::DATE"
    mid = f"(DATE '{s.start}' + INTERVAL {s.months // 2} MONTH)::DATE"
    con.execute(f"""
        CREATE TEMP TABLE bench_units AS
        SELECT unit_code FROM read_csv('{SEEDS / "ref_units.csv"}', all_varchar = true)
        WHERE {s.where} ORDER BY unit_code LIMIT {s.units};

        CREATE TEMP TABLE snapshots AS
        SELECT 1 AS snapshot, {mid} - 1 AS as_of, {mid} AS received_on
        UNION ALL SELECT 2, {end} - 1, {end};

        CREATE TEMP TABLE items AS
        WITH base AS (
            SELECT u.unit_code, m.m, i.i, CAST(hash(u.unit_code, m.m, i.i) >> 1 AS BIGINT) AS h
            FROM bench_units AS u, range({s.months}) AS m(m), range({s.items_per_month}) AS i(i)
        ), shaped AS (
            SELECT *,
                ['来信', '走访', '走访', '网上信访', '网上信访', '网上信访', '电话', '来信',
                 '网上信访', '走访'][1 + h % 10] AS channel,
                (DATE '{s.start}' + INTERVAL (m) MONTH)::DATE + CAST((h >> 4) % 28 AS INT)
                    AS registered_on
            FROM base
        )
        SELECT
            unit_code,
            printf('XF%s%02d%05d', unit_code, m, i) AS item_id,
            registered_on, channel,
            CASE WHEN channel = '走访'
                 THEN ['县', '县', '县', '县', '县', '县', '市', '市', '省', '国家']
                      [1 + (h >> 8) % 10]
                 ELSE ['县', '县', '县', '市'][1 + (h >> 8) % 4] END AS level,
            CASE WHEN channel = '走访' THEN 1 + CAST((h >> 12) % 8 AS INT) ELSE 1 END AS persons,
            CASE WHEN (h >> 15) % 10 < 9 THEN 'P' || ((h >> 18) % 400000) END AS person_key,
            {_list(CATEGORIES)}[1 + (h >> 38) % {len(CATEGORIES)}] AS category,
            ['求决', '申诉', '揭发控告', '意见建议', '其他', NULL][1 + (h >> 24) % 6] AS purpose,
            (h >> 27) % 4 <> 0 AS is_first,
            CASE WHEN (h >> 29) % 25 = 0
                 THEN ['中央巡视', '省委巡视', '国家信访局', '省信访局', '市信访局']
                      [1 + (h >> 33) % 5]
                 END AS assigned_by,
            CASE WHEN channel = '走访' AND (h >> 36) % 6 = 0
                 THEN ['市级', '县级', '乡科级'][1 + (h >> 44) % 3] END AS leader_reception,
            CASE WHEN (h >> 40) % 20 = 0 THEN '不予受理' ELSE '受理' END AS acceptance,
            registered_on + CAST((h >> 46) % 19 AS INT) AS accepted_on,
            (h >> 50) % 10 = 0 AS extended,
            CASE WHEN (h >> 52) % 8 <> 0
                 THEN registered_on + CAST((h >> 46) % 19 + (h >> 55) % 95 AS INT) END
                 AS concluded_on,
            (h >> 58) % 5 <> 0 AS resolved,
            ['满意', '满意', '基本满意', '不满意', '未评价'][1 + (h >> 60) % 5] AS satisfaction,
            (h >> 61) % 3 = 0 AS mediation_agreement,
            ['属实', '部分属实', '不属实'][1 + (h >> 62) % 3] AS finding,
            CASE WHEN (h >> 20) % 80 = 0
                 THEN ['刑事强制措施', '行政拘留', '警告', '罚款', '批评教育'][1 + (h >> 9) % 5]
                 END AS enforcement
        FROM shaped;

        CREATE TEMP TABLE risks AS
        WITH base AS (
            SELECT u.unit_code, m.m, i.i,
                   CAST(hash(u.unit_code, m.m, i.i, 'risk') >> 1 AS BIGINT) AS h,
                   (DATE '{s.start}' + INTERVAL (m) MONTH)::DATE + CAST(hash(i) % 28 AS INT)
                       AS found_on
            FROM bench_units AS u, range({s.months}) AS m(m), range({s.risks_per_month}) AS i(i)
        )
        SELECT unit_code, printf('YH%02d%05d', m, i) AS risk_id, found_on,
            {_list(CATEGORIES)}[1 + h % {len(CATEGORIES)}] AS category,
            ['高', '中', '中', '低', '低', '低'][1 + (h >> 8) % 6] AS risk_level,
            CASE WHEN (h >> 12) % 10 = 0 THEN ['重点人员', '重点群体'][1 + (h >> 16) % 2] END
                AS key_subject,
            CASE WHEN (h >> 18) % 15 = 0 THEN ['进京', '赴省'][1 + (h >> 22) % 2] END
                AS escalation_risk,
            found_on + 30 + CAST((h >> 24) % 60 AS INT) AS due_on,
            found_on + CAST((h >> 32) % 150 AS INT) AS resolved_on,
            (h >> 40) % 6 AS fate
        FROM base;

        CREATE TEMP TABLE cases AS
        WITH base AS (
            SELECT u.unit_code, i.i, CAST(hash(u.unit_code, i.i, 'case') >> 1 AS BIGINT) AS h
            FROM bench_units AS u, range({s.cases_per_unit}) AS i(i)
        )
        SELECT unit_code, printf('JA%05d', i) AS case_id,
            DATE '2004-01-01' + CAST(h % 6000 AS INT) AS first_petitioned_on,
            DATE '2004-01-01' + CAST(h % 6000 + 300 + (h >> 16) % 2500 AS INT) AS listed_on,
            {_list(CATEGORIES)}[1 + (h >> 8) % {len(CATEGORIES)}] AS category,
            ['省级', '市级', '县级', '县级'][1 + (h >> 20) % 4] AS leader_level,
            ['未化解', '化解中', '已化解', '已化解', '已终结'][1 + (h >> 24) % 5] AS status,
            DATE '{s.start}' - 400 + CAST((h >> 28) % (400 + 30 * {s.months}) AS INT)
                AS resolved_on,
            DATE '{s.start}' + CAST((h >> 36) % (30 * {s.months}) AS INT) AS due_on,
            CAST((h >> 40) % 5000000 AS DECIMAL(18, 2)) / 100 AS relief_fund,
            CASE WHEN (h >> 50) % 3 = 0 THEN CAST((h >> 52) % 500000 AS DECIMAL(18, 2)) / 100
                 ELSE 0 END AS charity_fund
        FROM base;

        INSERT INTO raw.submissions BY NAME
        SELECT u.unit_code || '-' || k.kind || s.snapshot AS submission_id, u.unit_code,
               k.kind || s.snapshot || '.csv' AS file_name,
               sha256(u.unit_code || k.kind || s.snapshot) AS sha256, 1000 AS size_bytes,
               s.received_on::TIMESTAMPTZ + INTERVAL 30 MINUTE AS received_at,
               s.received_on::TIMESTAMPTZ + INTERVAL 40 MINUTE AS ingested_at,
               'bench' AS archive_path, k.kind AS ledger_kind, 'csv' AS file_format,
               'utf-8' AS encoding, 'accepted' AS outcome, 0 AS row_count, 0 AS error_count,
               0 AS warning_count, false AS is_sample
        FROM bench_units AS u, snapshots AS s,
             (VALUES ('petitions'), ('risks'), ('backlog')) AS k(kind);
    """)
    lineage = """
        r.unit_code || '-{kind}' || s.snapshot AS submission_id,
        sha256(r.unit_code || '{kind}' || s.snapshot) AS sha256,
        s.received_on::TIMESTAMPTZ + INTERVAL 30 MINUTE AS received_at,
        CAST(row_number() OVER (PARTITION BY r.unit_code, s.snapshot) + 3 AS INT) AS source_row
    """
    con.execute(f"""
        INSERT INTO raw.petitions BY NAME
        SELECT {lineage.format(kind="petitions")},
            r.* EXCLUDE (concluded_on, resolved, satisfaction, accepted_on, acceptance),
            split_part(r.category, '_', 1) AS category_l1,
            CASE WHEN r.accepted_on <= s.as_of THEN r.acceptance ELSE '待受理' END AS acceptance,
            CASE WHEN r.accepted_on <= s.as_of THEN r.accepted_on END AS accepted_on,
            CASE WHEN r.concluded_on <= s.as_of THEN r.concluded_on END AS concluded_on,
            r.resolved AND r.concluded_on <= s.as_of AS resolved,
            CASE WHEN r.concluded_on <= s.as_of THEN r.satisfaction END AS satisfaction
        FROM items AS r JOIN snapshots AS s ON r.registered_on <= s.as_of;

        INSERT INTO raw.risks BY NAME
        SELECT {lineage.format(kind="risks")},
            r.* EXCLUDE (resolved_on, fate),
            r.category AS category_l1,
            CASE WHEN r.fate < 4 AND r.resolved_on <= s.as_of THEN '已化解'
                 WHEN r.fate = 4 THEN '未化解' ELSE '化解中' END AS status,
            CASE WHEN r.fate < 4 AND r.resolved_on <= s.as_of THEN r.resolved_on END
                AS resolved_on
        FROM risks AS r JOIN snapshots AS s ON r.found_on <= s.as_of;

        INSERT INTO raw.backlog BY NAME
        SELECT {lineage.format(kind="backlog")},
            r.* EXCLUDE (status, resolved_on),
            r.category AS category_l1,
            CASE WHEN r.status IN ('已化解', '已终结') AND r.resolved_on > s.as_of THEN '化解中'
                 ELSE r.status END AS status,
            CASE WHEN r.status IN ('已化解', '已终结') AND r.resolved_on <= s.as_of
                 THEN greatest(r.resolved_on, r.listed_on) END AS resolved_on
        FROM cases AS r JOIN snapshots AS s ON r.listed_on <= s.as_of;
    """)
    counts = {
        kind: con.execute(f"SELECT count(*) FROM raw.{kind}").fetchone()[0]
        for kind in ("submissions", "petitions", "risks", "backlog")
    }
    counts["items"] = con.execute("SELECT count(*) FROM raw.petitions_current").fetchone()[0]
    con.execute("CHECKPOINT")
    con.close()
    return counts


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_dbt(command: str, warehouse: Path, target: Path) -> dict:
    started = time.perf_counter()
    import dbt.cli.main  # noqa: F401  (timed apart: ~6 s without byte-code caches)

    from xinfang.build import run_dbt

    imported = time.perf_counter()
    result = run_dbt([command], warehouse=warehouse, target_path=target)
    if not result.success:
        raise SystemExit(result.summary())
    models = [n for n in result.nodes if n.unique_id.startswith("model.")]
    return {
        "seconds": round(result.seconds, 2),
        "imports_seconds": round(imported - started, 2),
        "model_seconds": round(sum(n.seconds for n in models), 2),
        "nodes": len(result.nodes),
        "peak_rss_mb": round(_peak_rss_mb()),
    }


def phase_raw(warehouse: Path, target: Path) -> dict:
    """The compiled models of the last dbt run, executed directly, in dependency order."""
    manifest = json.loads((target / "manifest.json").read_text())
    models = {k: v for k, v in manifest["nodes"].items() if v["resource_type"] == "model"}
    done: list[str] = []
    while len(done) < len(models):
        for key, node in models.items():
            deps = [d for d in node["depends_on"]["nodes"] if d in models]
            if key not in done and all(d in done for d in deps):
                done.append(key)
    con = duckdb.connect(str(warehouse))
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    started = time.perf_counter()
    for key in done:
        node = models[key]
        con.execute(f"CREATE OR REPLACE TABLE {node['relation_name']} AS {node['compiled_code']}")
    seconds = time.perf_counter() - started
    con.close()
    return {"seconds": round(seconds, 2), "models": len(done), "peak_rss_mb": round(_peak_rss_mb())}


def run_phase(phase: str, warehouse: Path, target: Path) -> dict:
    """One phase in a fresh process, so each peak RSS is its own."""
    done = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--warehouse", str(warehouse),
         "--target", str(target)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"phase {phase} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median_run(samples: list[dict]) -> dict:
    ordered = sorted(samples, key=lambda s: s["seconds"])
    return ordered[len(ordered) // 2] | {"samples": [s["seconds"] for s in samples]}


def bench(scale: Scale, workdir: Path, repeat: int) -> dict:
    directory = workdir / scale.name
    directory.mkdir(parents=True, exist_ok=True)
    names = ("generated.duckdb", "warehouse.duckdb", "target")
    generated_file, warehouse, target = (directory / n for n in names)
    started = time.perf_counter()
    counts = generate(scale, generated_file)
    generated = time.perf_counter() - started
    shutil.copyfile(generated_file, warehouse)
    out = {"scale": scale.name, "rows": counts, "generate_seconds": round(generated, 1)}
    out["build"] = run_phase("build", warehouse, target)
    samples: dict[str, list[dict]] = {"run": [], "raw": []}
    for _ in range(repeat):  # interleaved: a busy machine slows both alike
        for phase in samples:
            samples[phase].append(run_phase(phase, warehouse, target))
    out |= {phase: _median_run(runs) for phase, runs in samples.items()}
    out["run_over_raw"] = round(out["run"]["seconds"] / out["raw"]["seconds"], 2)
    out["run_models_over_raw"] = round(out["run"]["model_seconds"] / out["raw"]["seconds"], 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=[*SCALES, "both"], default="both")
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench" / "dbt_build")
    parser.add_argument("--repeat", type=int, default=3, help="dbt run / raw SQL pairs (median)")
    parser.add_argument("--phase", choices=["build", "run", "raw"], help=argparse.SUPPRESS)
    parser.add_argument("--warehouse", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--target", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        result = (
            phase_raw(args.warehouse, args.target)
            if args.phase == "raw"
            else phase_dbt(args.phase, args.warehouse, args.target)
        )
        print(json.dumps(result))
        return
    scales = list(SCALES) if args.scale == "both" else [args.scale]
    results = [bench(SCALES[name], args.workdir, args.repeat) for name in scales]
    for r in results:
        print(
            f"{r['scale']:>8}: {r['rows']['items']:>9,} items"
            f" | dbt build {r['build']['seconds']:6.1f} s"
            f" ({r['build']['peak_rss_mb']} MB) | dbt run {r['run']['seconds']:6.1f} s"
            f" (models {r['run']['model_seconds']:.1f} s, {r['run']['peak_rss_mb']} MB)"
            f" | raw SQL {r['raw']['seconds']:6.1f} s ({r['raw']['peak_rss_mb']} MB)"
            f" | run / raw = {r['run_over_raw']}"
        )
    (args.workdir / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
