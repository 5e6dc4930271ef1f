"""Time of the nightly backup and of a restore, at demo and province scale.

The raw layer of each scale is generated as in ``benchmarks/dbt_build.py`` (demo: ~80k items;
province: 150 counties, 1.08M items). Then: ``xinfang backup`` of it (Parquet files, each
checked against its table), the warehouse file damaged in the middle, and ``xinfang restore``
(the backup's files checked, the whole damaged file read to find the damage, a new file loaded
and checked table by table). ``dbt build`` after the restore is the same as any build: see
``benchmarks/dbt_build.py``.

    uv run python benchmarks/backup_restore.py [--scale demo|province|both] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from datetime import date
from pathlib import Path

from dbt_build import ROOT, SCALES, Scale, generate

from xinfang import backup
from xinfang.config import Settings


def bench(scale: Scale, workdir: Path) -> dict:
    directory = workdir / scale.name
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    warehouse = directory / "warehouse.duckdb"
    settings = Settings(directory, warehouse, directory, directory, directory / "backups")
    counts = generate(scale, warehouse)
    size = warehouse.stat().st_size
    started = time.perf_counter()
    taken = backup.backup(settings, day=date(2026, 5, 20), keep=14)
    backup_seconds = time.perf_counter() - started
    with warehouse.open("r+b") as fh:
        fh.seek(size // 3)
        fh.write(b"\xff" * (size // 3))
    started = time.perf_counter()
    restored = backup.restore(settings)
    restore_seconds = time.perf_counter() - started
    assert restored["tables"] == taken["tables"] and restored["moved_aside"]
    return {
        "scale": scale.name,
        "items": counts["items"],
        "rows": sum(taken["tables"].values()),
        "warehouse_mb": round(size / 1e6, 1),
        "backup_mb": round(taken["bytes"] / 1e6, 1),
        "backup_seconds": round(backup_seconds, 2),
        "restore_seconds": round(restore_seconds, 2),
        "restored_mb": round(warehouse.stat().st_size / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=[*SCALES, "both"], default="both")
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench" / "backup")
    args = parser.parse_args()
    scales = list(SCALES) if args.scale == "both" else [args.scale]
    for name in scales:
        r = bench(SCALES[name], args.workdir)
        print(
            f"{r['scale']:>8}: {r['rows']:>9,} raw rows, warehouse {r['warehouse_mb']} MB"
            f" | backup {r['backup_seconds']:5.1f} s, {r['backup_mb']} MB"
            f" | restore {r['restore_seconds']:5.1f} s"
        )
        print(json.dumps(r))


if __name__ == "__main__":
    main()
