"""Durable files: a file's or folder's writes forced to disk, and a file's SHA-256 read in
chunks. Shared by ingestion (archive, staging), bulletin publication and the backups."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

_CHUNK = 1 << 20


def fsync_path(path: Path) -> None:
    """Force ``path``'s data (a file) or its entries (a folder: renames, new names) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def hash_file(path: Path) -> str:
    """SHA-256 of a regular file, opened without following a symlink."""
    digest = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
