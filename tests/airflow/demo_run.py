"""The demo run the end-to-end tests share (fixtures ``sample`` and ``demo`` in conftest.py).

One small sample of the demo prefecture (three counties, 13 months, two nightly snapshots, and
every kind of bad submission the generator makes) is written once; ``xinfang run`` takes a copy
of it through the embedded Airflow to PDFs, once per test session.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from xinfang import synth
from xinfang.synth import Manifest

UNITS = ["410811", "410882", "410883"]  # 山阳区, 沁阳市, 孟州市 of 焦作市 (410800)
MONTH = "2026-10"
PII_KEY = "test-only-pseudonymisation-key"


@dataclass(frozen=True)
class Run:
    home: Path
    result: subprocess.CompletedProcess[str]
    manifest: Manifest

    @property
    def log_file(self) -> Path:
        (match,) = re.findall(r"Airflow's output goes to (\S+)", self.result.stdout)
        return Path(match)

    @property
    def log(self) -> str:
        return self.log_file.read_text(encoding="utf-8")

    def airflow(self, sql: str) -> list[tuple]:
        with sqlite3.connect(self.home / "airflow" / "airflow.db") as con:
            return con.execute(sql).fetchall()

    def warehouse(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.home / "warehouse.duckdb"), read_only=True) as con:
            return con.execute(sql).fetchall()


def environment(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "XINFANG_HOME": str(home),
        "XINFANG_REPORTS": str(home / "reports"),
        "XINFANG_PII_KEY": PII_KEY,
    }


def write_sample(root: Path) -> tuple[Path, Manifest]:
    manifest = synth.generate(root / "inbox", root / "synth", units=UNITS, months=13, snapshots=2)
    return root / "inbox", manifest


def copy_inbox(sample_inbox: Path, home: Path) -> None:
    """The same files, with their modification times (the arrival order) and symlinks."""
    shutil.copytree(sample_inbox, home / "inbox", symlinks=True)


def run_demo(sample: tuple[Path, Manifest], home: Path) -> Run:
    inbox, manifest = sample
    copy_inbox(inbox, home)
    result = subprocess.run(
        [sys.executable, "-m", "xinfang.cli", "run"],
        env=environment(home),
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return Run(home, result, manifest)
