"""The quality gate's speed on a large submission, beside reading the same file.

    uv run python benchmarks/validation_speed.py [--rows 100000] [--repeat 3]

One petitions ledger of ``--rows`` rows as UTF-8 CSV (the input of
``benchmarks/ingest_throughput.py``, cached under ``var/bench/``: mixed date forms, 20 % empty
and 2 % invalid ID numbers, so the gate also reports failures). Measured:

- GX's one-time cost: ``import great_expectations`` in a fresh interpreter, and building the
  gate's runtime (in-memory context, the committed suites) after it;
- reading the file: pandas ``read_csv`` (dates parsed), and the project's reader
  (``xinfang.ingest.parse``: read, normalise, pseudonymise, archive, stage);
- the gate, warm: ``validate`` of the normalised frame (with the raw ID numbers, as ingestion
  hands it over) and ``compare`` with a previous submission of the same rows.

Target: validation within 2x of reading the file.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))
from ingest_throughput import BENCH, RECEIVED, UNIT, ledger, write_csv

from xinfang import ingest
from xinfang.config import Settings
from xinfang.ingest.identity import normalise_ids
from xinfang.quality import PreviousSubmission, Submission, compare, engine, validate

DATES = ["登记日期", "受理告知日期", "办结日期"]


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median seconds of ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def gx_import_seconds(repeat: int) -> float:
    code = "import time; t = time.perf_counter(); import great_expectations; " \
           "print(time.perf_counter() - t)"  # fmt: skip
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false"}
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 env=env, check=True).stdout) for _ in range(repeat)]  # fmt: skip
    return statistics.median(runs)


def pandas_read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, skiprows=1, dtype=str, parse_dates=DATES, date_format="mixed")


def project_read(path: Path, root: Path) -> ingest.ParsedSubmission:
    inbox = root / "inbox" / UNIT
    inbox.mkdir(parents=True, exist_ok=True)
    target = inbox / path.name
    if not target.exists():
        os.link(path, target)
        os.utime(target, (RECEIVED.timestamp(), RECEIVED.timestamp()))
    settings = Settings(root / "inbox", root / "w.duckdb", root / "archive", root / "reports")
    parsed = ingest.parse(ingest.candidate(target), settings)
    if parsed.outcome != "accepted":
        raise SystemExit(f"benchmark file not accepted: {parsed.messages[:3]}")
    return parsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("XINFANG_PII_KEY", "benchmark-key")
    csv_path = BENCH / f"petitions_{args.rows}.csv"  # shared with ingest_throughput.py
    if not csv_path.exists():
        BENCH.mkdir(parents=True, exist_ok=True)
        write_csv(csv_path, *ledger(args.rows))

    gx_import = gx_import_seconds(args.repeat)
    start = time.perf_counter()
    engine.runtime()
    runtime_setup = time.perf_counter() - start  # this process's import included

    read_pandas, _ = timed(lambda: pandas_read(csv_path), args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        read_project, parsed = timed(lambda: project_read(csv_path, Path(tmp)), args.repeat)
        rows = pq.read_table(parsed.rows_path)
    raw_ids = pacsv.read_csv(
        csv_path,
        read_options=pacsv.ReadOptions(skip_rows=1),
        convert_options=pacsv.ConvertOptions(
            include_columns=["证件号码"], column_types={"证件号码": "string"}
        ),
    )
    frame = rows.append_column("id_number", normalise_ids(raw_ids["证件号码"].combine_chunks()))
    submission = Submission(
        parsed.submission_id,
        parsed.unit_code,
        parsed.ledger_kind,
        parsed.sha256,
        parsed.file_name,
        parsed.received_at,
        parsed.columns,
    )
    check, gate = timed(lambda: validate(frame, submission, reported=parsed.messages), args.repeat)
    previous = PreviousSubmission(
        "410883-previous",
        RECEIVED,
        "上次.csv",
        pd.DataFrame(
            {
                "key": rows["item_id"].to_pandas(),
                "registration_date": rows["registered_on"].to_pandas(),
            }
        ),
    )
    against, compared = timed(lambda: compare(gate, previous), args.repeat)

    size = csv_path.stat().st_size / 2**20
    verdict = "MET" if check <= 2 * read_project else "MISSED"
    print(
        f"{rows.num_rows:,} rows x {rows.num_columns} columns, {size:.0f} MB CSV; "
        f"cores {os.cpu_count()}; median of {args.repeat}"
    )
    print(f"GX import (fresh interpreter)         {gx_import:6.2f} s  (once per process)")
    print(f"gate runtime set-up (incl. import)    {runtime_setup:6.2f} s")
    print(f"read: pandas read_csv (dates parsed)  {read_pandas:6.2f} s")
    print(f"read: xinfang ingest.parse            {read_project:6.2f} s")
    print(
        f"gate: validate, {len(gate.checks)} checks ({len(gate.failed)} failed)  {check:6.2f} s"
        f"  = {check / read_project:.2f}x ingest.parse, {check / read_pandas:.2f}x pandas"
        f"  target <= 2x reading: {verdict}"
    )
    print(f"gate: compare with the previous       {against:6.2f} s")
    print(
        f"outcome {compared.outcome}: {compared.count('error')} errors, "
        f"{compared.count('warning')} warnings"
    )


if __name__ == "__main__":
    main()
