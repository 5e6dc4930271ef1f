"""``xinfang synth``: write the demo prefecture's sample ledgers and bad submissions."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from xinfang.config import Settings
from xinfang.synth.generate import (
    DEFAULT_PREFECTURE,
    DEFAULT_SEED,
    FILE_FORMATS,
    InboxNotEmptyError,
    default_manifest_dir,
    generate,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--inbox",
        type=Path,
        default=None,
        help="where counties drop files (default: XINFANG_INBOX or var/inbox)",
    )
    parser.add_argument(
        "--manifest",
        type=Path,
        default=None,
        help="manifest and truth tables, outside the inbox (default: var/synth)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--prefecture",
        default=DEFAULT_PREFECTURE,
        metavar="CODE",
        help="all county-level units of this prefecture (default: 410800 焦作市)",
    )
    parser.add_argument("--province", metavar="CODE", help="all units of a province, e.g. 410000")
    parser.add_argument("--units", metavar="CODE,CODE", help="exactly these unit codes")
    parser.add_argument("--end-month", default="2026-10", metavar="YYYY-MM")
    parser.add_argument("--months", type=int, default=25)
    parser.add_argument("--snapshots", type=int, default=3, help="nightly snapshots per ledger")
    parser.add_argument(
        "--snapshot-gap",
        type=int,
        default=7,
        metavar="DAYS",
        help="days between snapshots (default: 7)",
    )
    parser.add_argument("--format", choices=FILE_FORMATS, default="mixed", dest="file_format")
    parser.add_argument("--no-bad", action="store_true", help="skip the bad submissions")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPUs)")
    parser.add_argument("--force", action="store_true", help="write into a non-empty inbox")


def run(args: argparse.Namespace) -> int:
    inbox = args.inbox or Settings.from_env().inbox
    manifest_dir = args.manifest or default_manifest_dir()
    started = time.perf_counter()
    try:
        manifest = generate(
            inbox, manifest_dir, seed=args.seed,
            units=args.units.split(",") if args.units else None, province=args.province,
            prefecture=args.prefecture, end_month=args.end_month, months=args.months,
            snapshots=args.snapshots, snapshot_gap_days=args.snapshot_gap,
            file_format=args.file_format, bad_files=not args.no_bad, force=args.force,
            jobs=args.jobs, progress=lambda line: print(line, file=sys.stderr, flush=True),
        )  # fmt: skip
    except InboxNotEmptyError as exc:
        print(f"xinfang synth: {exc}; pass --force to write into it anyway", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"xinfang synth: {exc}", file=sys.stderr)
        return 2
    good, bad = manifest.good, manifest.bad
    rows = ", ".join(f"{kind} {n:,}" for kind, n in manifest.truth_rows.items())
    print(
        f"wrote {len(manifest.files)} files ({len(good)} good, {len(bad)} bad) for "
        f"{len(manifest.units)} units into {inbox} in {time.perf_counter() - started:.1f} s"
    )
    print(f"rows in good files: {rows}")
    print(f"manifest: {manifest_dir / 'manifest.json'}")
    return 0
