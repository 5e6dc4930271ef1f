"""The ``xinfang`` command line. Each sub-command wires one module; heavy imports stay lazy."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

Handler = Callable[[argparse.Namespace], int]


def _synth(args: argparse.Namespace) -> int:
    from xinfang.synth.cli import run

    return run(args)


def _ingest(args: argparse.Namespace) -> int:
    from xinfang.ingest.cli import run

    return run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xinfang", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    from xinfang.ingest.cli import add_arguments as ingest_args
    from xinfang.synth.cli import add_arguments as synth_args

    commands: list[tuple[str, str, Callable[[argparse.ArgumentParser], None], Handler]] = [
        ("synth", "write sample ledgers (and bad submissions) into the inbox", synth_args, _synth),
        ("ingest", "archive, read, normalise, pseudonymise and load new inbox files",
         ingest_args, _ingest),
    ]
    for name, help_text, add, handler in commands:
        p = sub.add_parser(name, help=help_text)
        add(p)
        p.set_defaults(handler=handler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
