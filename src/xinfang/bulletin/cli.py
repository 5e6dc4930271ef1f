"""``xinfang bulletin --month YYYY-MM [--unit CODE]``: render and issue monthly bulletins.

Without ``--unit``, every county that has submitted and each of their prefectures. Contexts are
read under the warehouse's shared lock, then the warehouse is released before rendering.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from xinfang.bulletin.context import BulletinContext
from xinfang.config import Settings

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--month", required=True, help="the bulletin month, YYYY-MM")
    parser.add_argument("--unit", help="one county, prefecture or province code (default: all)")
    parser.add_argument(
        "--issue-date",
        type=date.fromisoformat,
        help="date printed as issued, YYYY-MM-DD (default: today, Asia/Shanghai)",
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="render processes for many units (default: 2)"
    )
    parser.add_argument(
        "--warehouse", type=Path, help="DuckDB warehouse file (default: XINFANG_WAREHOUSE)"
    )


def issue_all(
    contexts: Sequence[BulletinContext], reports: Path, workers: int = 2
) -> tuple[list[Path], int]:
    """Render and issue every context whose content is not already the current issue.

    Returns the PDFs (issued, re-issued or unchanged) and the number of failures.
    """
    from xinfang.bulletin.batch import render_all
    from xinfang.bulletin.files import unrendered
    from xinfang.bulletin.issue import is_current, load_index, publish

    index = load_index(reports)
    paths, pending, failures = [], [], 0
    for ctx in contexts:
        data = unrendered(ctx)
        if is_current(reports, data, index):
            paths.append(reports / data.period / f"{data.stem}.pdf")
            print(f"unchanged\t{paths[-1]}")
        else:
            pending.append(ctx)
    for ctx, result in render_all(pending, workers):
        if isinstance(result, BaseException):
            failures += 1
            print(f"xinfang bulletin: {ctx.unit_code} {ctx.period}: {result!r}", file=sys.stderr)
            continue
        meta = {
            "unit_code": ctx.unit_code,
            "unit_name": ctx.unit_name,
            "issue_number": ctx.number,
            "issue_date": ctx.issue_date.isoformat(),
            "bureau": ctx.bureau,
            "has_data": ctx.has_data,
            "is_sample": ctx.is_sample,
        }
        issue = publish(reports, result, meta)
        paths.append(issue.pdf)
        print(f"{issue.status}\t{issue.pdf}")
    return paths, failures


def run(args: argparse.Namespace) -> int:
    from xinfang.bulletin.sources import load_contexts
    from xinfang.warehouse import connect
    from xinfang.warehouse_lock import warehouse_lock

    if not MONTH.match(args.month):
        print(f"xinfang bulletin: --month must be YYYY-MM, not {args.month!r}", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    warehouse = args.warehouse or settings.warehouse
    if not warehouse.exists():
        print(f"xinfang bulletin: no warehouse at {warehouse}; run xinfang build", file=sys.stderr)
        return 1
    with warehouse_lock(warehouse, exclusive=False):
        con = connect(warehouse, read_only=True)
        try:
            contexts = load_contexts(con, args.month, args.unit, issue_date=args.issue_date)
        except KeyError as exc:
            print(f"xinfang bulletin: {exc.args[0]}", file=sys.stderr)
            return 1
        finally:
            con.close()
    from xinfang.bulletin.issue import DiskFull

    try:
        _, failures = issue_all(contexts, settings.reports, args.workers)
    except DiskFull as error:  # the others would fail the same way: stop here
        print(f"xinfang bulletin: {error}", file=sys.stderr)
        return 1
    return 1 if failures else 0
