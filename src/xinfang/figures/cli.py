"""``xinfang figures --unit CODE --month YYYY-MM``: print a figures file from the marts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from xinfang.config import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--unit", required=True, help="county, prefecture or province code")
    parser.add_argument("--month", required=True, help="the bulletin month, YYYY-MM")
    parser.add_argument(
        "--warehouse", type=Path, help="DuckDB warehouse file (default: XINFANG_WAREHOUSE)"
    )


def run(args: argparse.Namespace) -> int:
    from xinfang.figures.document import figures_for, month_key, to_json
    from xinfang.warehouse import connect

    try:
        month = month_key(args.month)
    except ValueError:
        print(f"xinfang figures: --month must be YYYY-MM, not {args.month!r}", file=sys.stderr)
        return 2
    warehouse = args.warehouse or Settings.from_env().warehouse
    if not warehouse.exists():
        print(f"xinfang figures: no warehouse at {warehouse}; run xinfang build", file=sys.stderr)
        return 1
    con = connect(warehouse, read_only=True)
    try:
        document = figures_for(con, args.unit, month)
    except KeyError as exc:
        print(f"xinfang figures: {exc.args[0]}", file=sys.stderr)
        return 1
    finally:
        con.close()
    sys.stdout.write(to_json(document))
    return 0
