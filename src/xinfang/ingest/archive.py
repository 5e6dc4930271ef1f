"""The archive: every submitted file, unchanged, addressed by its content.

``<archive>/<unit_code>/<sha256[:2]>/<sha256>.<ext>``, files 0600 and folders 0700. The clerk's
file name is never part of a path; a unit folder that is not a 6-digit code is archived under
``_unknown``. The same bytes twice change nothing. Parsed rows wait in
``<archive>/_staging/<submission_id>/`` (and, in the nightly DAG, the parsed submission beside
them as ``<submission_id>.json``) until they are promoted.

The archived bytes, the staged rows and the spool files are written whole or not at all
(:func:`atomic_path`): a process killed while writing leaves at most a
``.<final name>.<random>.tmp`` beside it, never a partial file under the final name. (A clerk's
report is written before its submission's commit: a killed run's is written again.) What a
killed run leaves in the staging area is removed once its submission is registered
(:func:`discard_staging`), by whichever run sees it first.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from xinfang.config import Settings
from xinfang.durable import fsync_path

_UNIT = re.compile(r"\d{6}")
_EXT = re.compile(r"[a-z0-9]{1,8}")
ROWS_FILE = "rows.parquet"
#: A parsed submission waiting for the nightly DAG's promote: ``<submission_id>.json``.
SPOOL_SUFFIX = ".json"


def staging_root(settings: Settings) -> Path:
    return settings.archive / "_staging"


def staging_dir(settings: Settings, submission_id: str) -> Path:
    return staging_root(settings) / submission_id


def archive_path(unit_code: str, sha256: str, file_name: str) -> Path:
    """The relative archive path of a file's bytes."""
    folder = unit_code if _UNIT.fullmatch(unit_code) else "_unknown"
    ext = Path(file_name).suffix.lower().lstrip(".")
    return Path(folder, sha256[:2], f"{sha256}.{ext if _EXT.fullmatch(ext) else 'bin'}")


def _mkdirs(root: Path, relative: Path) -> None:
    path = root
    for part in relative.parts:
        path = path / part
        if not path.is_dir():
            path.mkdir(mode=0o700, exist_ok=True)


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A new temporary file (0600) beside ``path`` to write; then synced and renamed to ``path``.

    Readers see the old file or the whole new one, never a part; on an exception the temporary
    file is removed, and a process killed meanwhile leaves only ``.<name>.<random>.tmp``.
    """
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        fsync_path(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_path(path.parent)


def store(data: bytes, root: Path, relative: Path) -> None:
    """Write ``data`` at ``root/relative`` (mode 0600) unless it is there already."""
    target = root / relative
    if target.is_file() and target.stat().st_size == len(data):
        return
    root.mkdir(parents=True, exist_ok=True)
    _mkdirs(root, relative.parent)
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def stage_rows(settings: Settings, submission_id: str, rows: pa.Table) -> Path:
    """The normalised rows of a submission, as Parquet in its staging folder, for promote."""
    path = staging_dir(settings, submission_id) / ROWS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        pq.write_table(rows, tmp, compression="none")  # read once, soon
    return path


def discard_rows(path: Path) -> None:
    """Remove staged rows once promoted: the file, any temporary file of a killed writer of
    it, and its folder when that is left empty."""
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        stale.unlink(missing_ok=True)
    path.unlink(missing_ok=True)
    with suppress(OSError):
        path.parent.rmdir()


def staged_ids(settings: Settings) -> set[str]:
    """The submissions with anything in the staging area (rows, spool file or leftovers)."""
    root = staging_root(settings)
    if not root.is_dir():
        return set()
    return {_staged_id(p.name) for p in root.iterdir()}


def _staged_id(name: str) -> str:
    """``<id>``, ``<id>.json`` or a killed writer's ``.<id>.json.<random>.tmp`` -> ``<id>``."""
    if name.startswith(".") and name.endswith(".tmp"):
        name = name[1:].removesuffix(".tmp").rsplit(".", 1)[0]
    return name.removesuffix(SPOOL_SUFFIX)


def discard_staging(settings: Settings, submission_ids: Collection[str]) -> None:
    """Remove everything staged for ``submission_ids`` (registered: nothing of it is needed)."""
    root = staging_root(settings)
    for submission_id in submission_ids:
        shutil.rmtree(root / submission_id, ignore_errors=True)
        spool = root / f"{submission_id}{SPOOL_SUFFIX}"
        for stale in root.glob(f".{spool.name}.*.tmp"):
            stale.unlink(missing_ok=True)
        spool.unlink(missing_ok=True)
