"""Time ``xinfang synth``: the demo prefecture (mixed formats) and a whole province as CSV.

    uv run python benchmarks/synth_speed.py [--province 410000] [--skip-demo]

Prints wall time and CPU time (this process and its workers) for each run, in a temporary
directory that is removed afterwards.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from xinfang.synth import generate


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(label: str, **kwargs: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        wall, cpu = time.perf_counter(), _cpu()
        m = generate(Path(tmp) / "inbox", Path(tmp) / "synth", **kwargs)
        wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    rows = sum(m.truth_rows.values())
    print(
        f"{label}: {len(m.units)} units, {len(m.files)} files, {rows:,} good rows "
        f"({m.truth_rows}) in {wall:.1f} s wall, {cpu:.1f} s CPU"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--province", default="410000")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    if not args.skip_demo:
        timed("demo (410800, mixed)", jobs=args.jobs)
    timed(
        f"province {args.province} as CSV",
        province=args.province,
        file_format="csv",
        jobs=args.jobs,
    )


if __name__ == "__main__":
    main()
