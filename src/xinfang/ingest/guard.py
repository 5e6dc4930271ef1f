"""Cheap checks on an inbox entry before a byte of it is read.

Each returns the rule that rejects the file (and the message fields), or None. Only a regular
file, inside the inbox, with a safe name and a size within the limit is ever read.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from xinfang.ingest.limits import MB, Limits
from xinfang.ingest.submission import Candidate
from xinfang.reference import units


@dataclass(frozen=True)
class Refusal:
    rule: str
    fields: dict[str, object] = field(default_factory=dict)


def unsafe_name(name: str) -> bool:
    """A name that could be a path, or that hides characters: never used as a path anyway."""
    return (
        not name
        or name.startswith("..")
        or any(c in name for c in "/\\")
        or any(unicodedata.category(c) in ("Cc", "Cf") for c in name)
    )


def inside_inbox(path: Path, inbox: Path) -> bool:
    """``<inbox>/<unit>/<name>`` exactly, compared without resolving the entry itself."""
    folder = path.parent
    return (
        path.is_absolute()
        and folder.parent.resolve() == inbox.resolve()
        and not folder.is_symlink()
        and ".." not in path.parts
    )


def refuse_entry(candidate: Candidate, inbox: Path, limits: Limits) -> Refusal | None:
    """The first reason not to read the entry at all, in the order a clerk would fix them."""
    if candidate.unit_code not in units():
        return Refusal("unit.unknown")
    if unsafe_name(candidate.file_name) or not inside_inbox(candidate.path, inbox):
        return Refusal("file.unsafe_name")
    if candidate.entry == "symlink":
        return Refusal("file.symlink")
    if candidate.entry != "file":
        return Refusal("file.not_regular")
    if candidate.size_bytes == 0:
        return Refusal("file.empty")
    if candidate.size_bytes > limits.max_file_bytes:
        return Refusal(
            "file.too_large",
            {
                "size_mb": f"{candidate.size_bytes / MB:.1f}",
                "limit_mb": f"{limits.max_file_bytes / MB:g}",
            },
        )
    return None


def archivable(candidate: Candidate, inbox: Path, limits: Limits) -> bool:
    """Whether the entry's bytes may be read and archived (its unit may still be unknown).

    Decided on its own, not from :func:`refuse_entry`'s first reason: an unknown unit's
    symlink is reported as an unknown unit and still never read."""
    return (
        candidate.entry == "file"
        and not unsafe_name(candidate.file_name)
        and inside_inbox(candidate.path, inbox)
        and candidate.size_bytes <= limits.max_file_bytes
    )
