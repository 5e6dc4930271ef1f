"""The archive: every submitted file, unchanged, addressed by its content.

``<archive>/<unit_code>/<sha256[:2]>/<sha256>.<ext>``, files 0600 and folders 0700. The clerk's
file name is never part of a path; a unit folder that is not a 6-digit code is archived under
``_unknown``. The same bytes twice change nothing. Parsed rows wait in ``<archive>/_staging``
until they are promoted.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from xinfang.config import Settings

_UNIT = re.compile(r"\d{6}")
_EXT = re.compile(r"[a-z0-9]{1,8}")


def staging_dir(settings: Settings, submission_id: str) -> Path:
    return settings.archive / "_staging" / submission_id


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


def store(data: bytes, root: Path, relative: Path) -> None:
    """Write ``data`` at ``root/relative`` (mode 0600) unless it is there already."""
    target = root / relative
    if target.is_file() and target.stat().st_size == len(data):
        return
    root.mkdir(parents=True, exist_ok=True)
    _mkdirs(root, relative.parent)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
