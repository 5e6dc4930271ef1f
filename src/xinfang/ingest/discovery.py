"""Find the inbox files not yet registered: ``<inbox>/<unit_code>/<any file name>``.

A file is new when its (unit, SHA-256) is not in ``raw.submissions``. A file whose unit, name,
size and modification time match a registered one is taken as that one without hashing it
again (inbox files stay where they are, night after night). Nothing here follows a symlink: a
symlinked entry becomes a candidate that parsing rejects, hashed over its link text only.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

from xinfang.config import Settings
from xinfang.durable import hash_file
from xinfang.ingest.submission import SHANGHAI, Candidate, Entry

log = logging.getLogger(__name__)

#: (unit_code, sha256) pairs, and (unit_code, file name, size, received_at) of registered files.
Known = tuple[set[tuple[str, str]], set[tuple[str, str, int, datetime]]]


def mtime(st: os.stat_result) -> datetime:
    """The modification time to the microsecond (what the warehouse keeps), Asia/Shanghai."""
    micros = st.st_mtime_ns // 1000
    return datetime.fromtimestamp(micros // 1_000_000, SHANGHAI) + timedelta(
        microseconds=micros % 1_000_000
    )


def candidate(path: Path, st: os.stat_result | None = None) -> Candidate:
    """The candidate for one inbox entry (``<inbox>/<unit>/<name>``), hashed."""
    st = st or os.lstat(path)
    entry: Entry
    if stat.S_ISREG(st.st_mode):
        entry, sha256 = "file", hash_file(path)
    elif stat.S_ISLNK(st.st_mode):
        entry = "symlink"
        sha256 = hashlib.sha256(b"symlink\0" + os.fsencode(os.readlink(path))).hexdigest()
    else:
        entry = "other"
        sha256 = hashlib.sha256(b"other\0" + os.fsencode(path.name)).hexdigest()
    return Candidate(path.parent.name, path, st.st_size, mtime(st), sha256, entry)


def known_submissions(warehouse: Path) -> Known:
    """What the warehouse has registered (nothing when it does not exist yet)."""
    if not warehouse.exists():
        return set(), set()
    from xinfang.warehouse import connect

    con = connect(warehouse, read_only=True)
    try:
        rows = con.execute(
            "SELECT unit_code, sha256, file_name, size_bytes, received_at FROM raw.submissions"
        ).fetchall()
    finally:
        con.close()
    return {(u, h) for u, h, *_ in rows}, {(u, n, s, t) for u, _, n, s, t in rows}


def _entries(inbox: Path) -> Iterable[tuple[Path, os.stat_result]]:
    if not inbox.is_dir():
        return
    for unit_dir in sorted(inbox.iterdir()):
        if unit_dir.is_symlink() or not unit_dir.is_dir():
            log.warning("skipped %s: not a unit folder (<inbox>/<unit_code>/<file>)", unit_dir)
            continue
        for path in sorted(unit_dir.iterdir()):
            st = os.lstat(path)
            if stat.S_ISDIR(st.st_mode):
                log.warning("skipped folder %s: files go directly in the unit folder", path)
                continue
            yield path, st


def discover(settings: Settings, known: Known | None = None) -> list[Candidate]:
    """New inbox files in arrival order (received time, ties by file name).

    ``known`` defaults to what the warehouse holds (opened read-only, so not while a writer
    has it open). The same bytes twice in one unit folder are one candidate: the earlier.
    """
    hashes, stats = known if known is not None else known_submissions(settings.warehouse)
    found: dict[tuple[str, str], Candidate] = {}
    for path, st in _entries(settings.inbox):
        if (path.parent.name, path.name, st.st_size, mtime(st)) in stats:
            continue
        c = candidate(path, st)
        key = (c.unit_code, c.sha256)
        if key in hashes or (key in found and found[key].arrival <= c.arrival):
            continue
        found[key] = c
    return sorted(found.values(), key=lambda c: c.arrival)
