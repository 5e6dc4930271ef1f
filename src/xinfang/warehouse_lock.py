"""One writer or many readers of the warehouse file, across processes.

DuckDB lets one process open a database file read-write, and while it does, no other process
can open it at all, even read-only. Every task that touches the warehouse therefore takes this
lock first: exclusive to write (promote, ``dbt build``), shared to read (gates, freshness,
bulletins). A second nightly run started beside the first waits for it instead of failing on
DuckDB's own lock or interleaving its writes. The lock is an ``flock`` on ``<warehouse>.lock``:
released by the kernel when its holder dies, so a killed run never leaves it stuck.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

#: How long to wait for the lock before giving up (``XINFANG_LOCK_TIMEOUT`` seconds).
DEFAULT_TIMEOUT = 3600.0


class WarehouseBusy(TimeoutError):
    """Another process held the warehouse for longer than the timeout."""


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


@contextmanager
def warehouse_lock(
    warehouse: Path, *, exclusive: bool, timeout: float | None = None
) -> Iterator[None]:
    """Hold the warehouse's lock: ``exclusive`` for writers, shared for readers."""
    if timeout is None:
        timeout = float(os.environ.get("XINFANG_LOCK_TIMEOUT", DEFAULT_TIMEOUT))
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    kind = "write" if exclusive else "read"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        waiting = False
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(
                        f"{warehouse} stayed locked by another run for {timeout:.0f} s"
                    ) from None
                if not waiting:
                    log.warning("waiting for the warehouse %s lock held by another run", kind)
                    waiting = True
                time.sleep(0.2)
        if waiting:
            log.warning("got the warehouse %s lock", kind)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
