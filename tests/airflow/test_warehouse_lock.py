"""The warehouse lock across processes: one writer, or any number of readers."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from xinfang.warehouse_lock import WarehouseBusy, lock_path, warehouse_lock

HOLD = """
import sys, time
from pathlib import Path
from xinfang.warehouse_lock import warehouse_lock
with warehouse_lock(Path(sys.argv[1]), exclusive=sys.argv[2] == "write"):
    print("held", flush=True)
    time.sleep(float(sys.argv[3]))
"""


def hold(warehouse: Path, mode: str, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(warehouse), mode, str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_writer_waits_for_another_writer(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    other = hold(warehouse, "write", 1.0)
    started = time.monotonic()
    with warehouse_lock(warehouse, exclusive=True, timeout=30):
        waited = time.monotonic() - started
    other.wait()
    assert 0.5 < waited < 10
    assert lock_path(warehouse).exists()


def test_readers_share_but_exclude_a_writer(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    reader = hold(warehouse, "read", 30)
    try:
        with warehouse_lock(warehouse, exclusive=False, timeout=0.5):
            pass  # a second reader gets in at once
        with pytest.raises(WarehouseBusy), warehouse_lock(warehouse, exclusive=True, timeout=0.5):
            pass
    finally:
        reader.kill()
        reader.wait()
    # the dead holder's lock is gone with it
    with warehouse_lock(warehouse, exclusive=True, timeout=5):
        pass
