"""The ``xinfang`` command line. Each sub-command lives in its own module, imported lazily:
only the chosen command's module pays its import cost (GX, dbt, WeasyPrint, Airflow)."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# name, help, module, function that adds the arguments, function that runs the command
COMMANDS: tuple[tuple[str, str, str, str, str], ...] = (
    ("synth", "write sample ledgers (and bad submissions) into the inbox",
     "xinfang.synth.cli", "add_arguments", "run"),
    ("ingest", "archive, read, validate, pseudonymise and load new inbox files",
     "xinfang.ingest.cli", "add_arguments", "run"),
    ("build", "dbt build of the warehouse (staging -> marts -> figures mart), in-process",
     "xinfang.build", "add_arguments", "run"),
    ("figures", "print a unit's figures file for a month (JSON, from the marts)",
     "xinfang.figures.cli", "add_arguments", "run"),
    ("bulletin", "render and issue monthly PDF bulletins (信访工作月报) from the marts",
     "xinfang.bulletin.cli", "add_arguments", "run"),
    ("backup", "back up the warehouse's raw layer (nightly; keeps XINFANG_BACKUP_KEEP_DAYS days)",
     "xinfang.backup", "add_backup_arguments", "run_backup"),
    ("restore", "replace a damaged warehouse by a backup's raw layer (then xinfang build)",
     "xinfang.backup", "add_restore_arguments", "run_restore"),
    ("audit", "which quality checks a submission passed, and which rows failed",
     "xinfang.quality.cli", "add_audit_arguments", "run_audit"),
    ("accept", "accept a held or warned submission, with a reason (errors cannot be forced)",
     "xinfang.quality.cli", "add_accept_arguments", "run_accept"),
    ("run", "sample ledgers -> nightly DAG -> monthly DAG -> PDFs, through embedded Airflow",
     "xinfang.local_cli", "add_run_arguments", "run"),
    ("ui", "start the local Airflow UI (127.0.0.1) with the project's DAGs",
     "xinfang.local_cli", "add_ui_arguments", "ui"),
)  # fmt: skip


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only ``command``'s module is imported to add its arguments."""
    parser = argparse.ArgumentParser(prog="xinfang", description="信访数据平台 xinfang")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text, module, add, run in COMMANDS:
        p = sub.add_parser(name, help=help_text)
        if name == command:
            getattr(importlib.import_module(module), add)(p)
        p.set_defaults(module=module, run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    args = build_parser(command).parse_args(argv)
    return getattr(importlib.import_module(args.module), args.run)(args)


if __name__ == "__main__":
    sys.exit(main())
