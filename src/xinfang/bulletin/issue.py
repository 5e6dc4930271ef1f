"""Issuing bulletins: files under ``reports/<YYYY-MM>/``, revisions, and the index.

``<code>-<name>-<YYYY-MM>.pdf`` and the figures file ``….json`` beside it are the current issue.
Re-issuing a month whose content changed keeps the earlier issue as ``….r1.pdf``/``….r1.json``
(then ``r2`` …); the same content again changes nothing. Content is the bulletin's data: the
figures file and the quality annex (not the issue date). ``reports/index.json`` lists every
issue with the SHA-256 of its files; a lock file serialises concurrent issuers.

An issue is all or nothing. Every byte (figures, PDF, new index) is first written and synced to
a temporary file beside its final name; only then do the files appear, by renames and links,
in this order: the earlier issue's revision names, the figures file, the PDF, the index last.
A reader never sees a partial file, nor a PDF without its figures file; an index that names a
file names a finished one. A failure at any step (a full disk above all: :class:`DiskFull`)
undoes the steps before it and removes the temporary files: the earlier issue and the index are
left as they were, and issuing again later starts afresh. A new name never replaces a file it
does not expect (a stray file left by hand is an error, not overwritten).
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xinfang.bulletin.files import Rendered, sha256
from xinfang.durable import fsync_path

INDEX = "index.json"
LOCK = ".index.lock"
#: What a temporary file is called: ``.<final name>.<random>.tmp``, beside its final name.
TEMPORARY = ".*.tmp"
_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


@dataclass(frozen=True)
class Issue:
    pdf: Path
    status: str  # issued | reissued | unchanged
    superseded: Path | None = None  # the earlier issue's PDF, now a revision


class DiskFull(OSError):
    """The disk filled up while a bulletin was being issued: nothing of it was published."""

    def __str__(self) -> str:
        return str(self.strerror)


@dataclass(frozen=True)
class _Revision:
    pdf: Path
    figures: Path


class _Publication:
    """The steps of one issue: temporary files to remove, and how to undo what is done."""

    def __init__(self) -> None:
        self.target: Path | None = None  # the file being written or put in place
        self.temporary: list[Path] = []
        self._undo: list[Callable[[], None]] = []

    def stage(self, path: Path, data: bytes) -> Path:
        """``data`` written and synced to a temporary file beside ``path``."""
        self.target = path
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        self.temporary.append(Path(name))
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        return Path(name)

    def link(self, source: Path, target: Path) -> None:
        """A new name for a finished file; fails if ``target`` exists."""
        self.target = target
        os.link(source, target)
        self._undo.append(lambda: target.unlink(missing_ok=True))

    def replace(self, source: Path, target: Path, saved: Path) -> None:
        """Put ``source`` in place of ``target``, whose bytes stay linked at ``saved``."""
        self.target = target
        os.replace(source, target)
        self._undo.append(lambda: os.replace(saved, target))

    def undo(self) -> None:
        while self._undo:
            self._undo.pop()()

    def clean(self) -> None:
        for path in self.temporary:
            path.unlink(missing_ok=True)


@contextmanager
def _locked(reports: Path) -> Iterator[None]:
    reports.mkdir(parents=True, exist_ok=True)
    with (reports / LOCK).open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def load_index(reports: Path) -> list[dict[str, Any]]:
    path = reports / INDEX
    return json.loads(path.read_text(encoding="utf-8"))["bulletins"] if path.exists() else []


def is_current(reports: Path, data: Rendered, index: list[dict[str, Any]]) -> bool:
    """The current issue of this bulletin exists and has this content: nothing to issue."""
    rel = f"{data.period}/{data.stem}.pdf"
    return (reports / rel).exists() and any(
        e["pdf"] == rel and e["content_sha256"] == data.content_sha256 for e in index
    )


def _next_revision(folder: Path, stem: str) -> int:
    pattern = re.compile(rf"^{re.escape(stem)}\.r(\d+)\.pdf$")
    numbers = [int(m.group(1)) for p in folder.iterdir() if (m := pattern.match(p.name))]
    return max(numbers, default=0) + 1


def _entry(
    reports: Path,
    pdf: Path,
    pdf_bytes: bytes,
    figures: Path,
    figures_bytes: bytes | None,
    revision: int | None,
) -> dict[str, Any]:
    return {
        "revision": revision,
        "pdf": str(pdf.relative_to(reports)),
        "pdf_sha256": sha256(pdf_bytes),
        "json": str(figures.relative_to(reports)),
        "json_sha256": None if figures_bytes is None else sha256(figures_bytes),
    }


def _holds(path: Path, data: bytes) -> bool:
    return path.exists() and path.read_bytes() == data


def _remove_leftovers(*folders: Path) -> None:
    """Temporary files of an issuer that was killed: none is in use while we hold the lock."""
    for folder in folders:
        for path in folder.glob(TEMPORARY):
            path.unlink()


def _disk_full(error: OSError, target: Path | None, rendered: Rendered, reports: Path) -> DiskFull:
    return DiskFull(
        error.errno,
        f"disk full (no space left on device) while writing {target}: bulletin {rendered.stem} "
        f"was not issued and no file under {reports} changed: no partial file, any earlier issue "
        f"and {INDEX} as they were, the temporary files removed. Free disk space and issue it "
        "again.",
        str(target),
    )


def publish(reports: Path, rendered: Rendered, meta: dict[str, Any]) -> Issue:
    """Issue one rendered bulletin; ``meta`` (unit, issue number, date, …) goes to the index.

    Raises :class:`DiskFull` when the disk fills up on the way, having changed nothing.
    """
    folder = reports / rendered.period
    pdf, figures = folder / f"{rendered.stem}.pdf", folder / f"{rendered.stem}.json"
    content = rendered.content_sha256
    with _locked(reports):
        folder.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(reports, folder)
        index = load_index(reports)
        current = next((e for e in index if e["pdf"] == str(pdf.relative_to(reports))), None)
        if current and not pdf.exists():  # deleted by hand: the new issue takes its place
            index.remove(current)
            current = None
        if current and current["content_sha256"] == content:
            return Issue(pdf, "unchanged")
        revision = None
        if pdf.exists() and not (current is None and _holds(pdf, rendered.pdf)):
            number = _next_revision(folder, rendered.stem)
            revision = _Revision(
                folder / f"{rendered.stem}.r{number}.pdf",
                folder / f"{rendered.stem}.r{number}.json",
            )
            old_figures = figures.read_bytes() if figures.exists() else None
            old = _entry(
                reports, revision.pdf, pdf.read_bytes(), revision.figures, old_figures, number
            )
            if current:
                current.update(old)
            else:  # an issue the index had lost: keep it on record
                index.append({"period": rendered.period, "content_sha256": None, **old})
        entry = _entry(reports, pdf, rendered.pdf, figures, rendered.figures_json, None)
        index.append({**meta, "period": rendered.period, "content_sha256": content, **entry})
        index.sort(key=lambda e: (e["period"], e["pdf"]))
        body = json.dumps({"bulletins": index}, ensure_ascii=False, indent=1, sort_keys=True)
        step = _Publication()
        try:
            _issue(step, reports, rendered, revision, (body + "\n").encode())
        except BaseException as error:
            step.undo()
            if isinstance(error, OSError) and error.errno in _DISK_FULL:
                raise _disk_full(error, step.target, rendered, reports) from error
            raise
        finally:
            step.clean()
    if revision is None:
        return Issue(pdf, "issued")
    return Issue(pdf, "reissued", revision.pdf)


def _issue(
    step: _Publication,
    reports: Path,
    rendered: Rendered,
    revision: _Revision | None,
    index: bytes,
) -> None:
    """Write everything to temporary files, then put each in place (see the module's doc)."""
    folder = reports / rendered.period
    pdf, figures = folder / f"{rendered.stem}.pdf", folder / f"{rendered.stem}.json"
    writes = [(figures, rendered.figures_json), (pdf, rendered.pdf)]
    if revision is None:  # the same bytes already there (an issue the index had lost) stay
        writes = [(path, data) for path, data in writes if not _holds(path, data)]
    staged = [(step.stage(path, data), path) for path, data in writes]
    staged_index = step.stage(reports / INDEX, index)
    saved: dict[Path, Path] = {}
    if revision is not None:  # the earlier issue keeps its bytes under its revision's names
        if figures.exists():
            step.link(figures, revision.figures)
            saved[figures] = revision.figures
        step.link(pdf, revision.pdf)
        saved[pdf] = revision.pdf
    for temporary, path in staged:
        if path in saved:
            step.replace(temporary, path, saved[path])
        else:
            step.link(temporary, path)
    step.target = reports / INDEX
    os.replace(staged_index, reports / INDEX)
    fsync_path(folder)
    fsync_path(reports)
