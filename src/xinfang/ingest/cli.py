"""``xinfang ingest``: load the inbox's new files, then print what became of each.

Rejected files are data, not failures: the exit code is 0 unless a file could not be
processed at all (it is then left for the next run) -- 1.
"""

from __future__ import annotations

import argparse
import logging
import sys
import unicodedata
from dataclasses import replace
from pathlib import Path

from xinfang.config import Settings
from xinfang.ingest.limits import Limits, max_file_mb


def add_arguments(parser: argparse.ArgumentParser) -> None:
    env = Settings.from_env()
    parser.add_argument("--inbox", type=Path, default=env.inbox, help="default: XINFANG_INBOX")
    parser.add_argument(
        "--warehouse", type=Path, default=env.warehouse, help="default: XINFANG_WAREHOUSE"
    )
    parser.add_argument(
        "--archive", type=Path, default=env.archive, help="default: XINFANG_ARCHIVE"
    )
    parser.add_argument("--workers", type=int, default=2, help="parsing processes (default 2)")
    parser.add_argument(
        "--max-file-mb",
        type=float,
        default=max_file_mb(),
        help="largest file accepted (default: XINFANG_MAX_FILE_MB or 100)",
    )


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cell(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


#: Held only shown when there is one (``xinfang accept`` puts it in force).
OUTCOMES = ("accepted", "held", "rejected")


def summary(results: list) -> str:
    """One line per file: unit, file, ledger, outcome, rows, errors, warnings, first error."""
    header = ("unit", "file", "ledger", "outcome", "rows", "errors", "warnings", "first message")
    lines = []
    for r in results:
        p = r.parsed
        if p is None:
            lines.append((r.candidate.unit_code, r.candidate.file_name, "", "FAILED", "", "", "",
                          r.failure or ""))  # fmt: skip
            continue
        first = next((m.message for m in p.messages if m.severity == "error"), "")
        outcome = p.outcome if r.loaded else f"{p.outcome} (already loaded)"
        lines.append((p.unit_code, p.file_name, p.ledger_kind or "", outcome, str(p.row_count),
                      str(p.error_count), str(p.warning_count), first))  # fmt: skip
    widths = [max(_width(row[i]) for row in [header, *lines]) for i in range(len(header) - 1)]
    out = [
        "  ".join(_cell(c, w) for c, w in zip(row, widths, strict=False)) + "  " + row[-1]
        for row in [header, *lines]
    ]
    counts = {o: sum(r.loaded and r.parsed.outcome == o for r in results) for o in OUTCOMES}
    told = ", ".join(f"{n} {o}" for o, n in counts.items() if n or o != "held")
    failed = sum(r.failure is not None for r in results)
    out.append(f"{len(results)} files: {told}, {failed} failed")
    return "\n".join(line.rstrip() for line in out)


def run(args: argparse.Namespace) -> int:
    from xinfang.ingest.run import Progress, ingest_inbox

    logging.basicConfig(level=logging.WARNING, format="xinfang ingest: %(message)s")
    settings = replace(
        Settings.from_env(), inbox=args.inbox, warehouse=args.warehouse, archive=args.archive
    )
    limits = Limits.for_max_file_mb(args.max_file_mb)

    def progress(p: Progress) -> None:
        rate = p.rows / p.seconds if p.seconds else 0.0
        print(
            f"[{p.done}/{p.total}] {p.last.candidate.unit_code}/{p.last.candidate.file_name}"
            f"  {p.rows:,} rows  {rate:,.0f} rows/s",
            file=sys.stderr,
        )

    results = ingest_inbox(settings, workers=args.workers, limits=limits, on_progress=progress)
    print(summary(results) if results else "no new files")
    return 1 if any(r.failure for r in results) else 0
