"""Issuing bulletins: files under ``reports/<YYYY-MM>/``, revisions, and the index.

``<code>-<name>-<YYYY-MM>.pdf`` and the figures file ``….json`` beside it are the current issue.
Re-issuing a month whose content changed keeps the earlier issue as ``….r1.pdf``/``….r1.json``
(then ``r2`` …); the same content again changes nothing. Content is the bulletin's data: the
figures file and the quality annex (not the issue date). Nothing is overwritten: every file
appears by an atomic link of a finished temporary file, which fails if the name is taken.
``reports/index.json`` lists every issue with the SHA-256 of its files; a lock file serialises
concurrent issuers.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xinfang.bulletin.files import Rendered, sha256

INDEX = "index.json"
LOCK = ".index.lock"


@dataclass(frozen=True)
class Issue:
    pdf: Path
    status: str  # issued | reissued | unchanged
    superseded: Path | None = None  # the earlier issue's PDF, now a revision


def _write_new(path: Path, data: bytes) -> None:
    """Write ``path`` atomically; fail if it exists with other bytes (an interrupted issue)."""
    if path.exists() and path.read_bytes() == data:
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.link(tmp, path)  # atomic, and refuses to replace an existing file
    finally:
        os.unlink(tmp)


def _replace(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically (the index only)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _move(source: Path, target: Path) -> None:
    """Rename without ever replacing: link to the new name, then drop the old one."""
    os.link(source, target)
    os.unlink(source)


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


def _entry(reports: Path, pdf: Path, figures: Path, revision: int | None) -> dict[str, Any]:
    return {
        "revision": revision,
        "pdf": str(pdf.relative_to(reports)),
        "pdf_sha256": sha256(pdf.read_bytes()),
        "json": str(figures.relative_to(reports)),
        "json_sha256": sha256(figures.read_bytes()) if figures.exists() else None,
    }


def publish(reports: Path, rendered: Rendered, meta: dict[str, Any]) -> Issue:
    """Issue one rendered bulletin; ``meta`` (unit, issue number, date, …) goes to the index."""
    folder = reports / rendered.period
    pdf, figures = folder / f"{rendered.stem}.pdf", folder / f"{rendered.stem}.json"
    content = rendered.content_sha256
    with _locked(reports):
        folder.mkdir(parents=True, exist_ok=True)
        index = load_index(reports)
        current = next((e for e in index if e["pdf"] == str(pdf.relative_to(reports))), None)
        if current and not pdf.exists():  # deleted by hand: the new issue takes its place
            index.remove(current)
            current = None
        superseded = None
        if current and current["content_sha256"] == content:
            return Issue(pdf, "unchanged")
        if pdf.exists() and not (current is None and pdf.read_bytes() == rendered.pdf):
            number = _next_revision(folder, rendered.stem)
            superseded = folder / f"{rendered.stem}.r{number}.pdf"
            old_figures = folder / f"{rendered.stem}.r{number}.json"
            _move(pdf, superseded)
            if figures.exists():
                _move(figures, old_figures)
            old = _entry(reports, superseded, old_figures, number)
            if current:
                current.update(old)
            else:  # an issue the index had lost: keep it on record
                index.append({"period": rendered.period, "content_sha256": None, **old})
        _write_new(figures, rendered.figures_json)
        _write_new(pdf, rendered.pdf)
        index.append(
            {
                **meta,
                "period": rendered.period,
                "content_sha256": content,
                **_entry(reports, pdf, figures, None),
            }
        )
        index.sort(key=lambda e: (e["period"], e["pdf"]))
        body = json.dumps({"bulletins": index}, ensure_ascii=False, indent=1, sort_keys=True)
        _replace(reports / INDEX, (body + "\n").encode())
    return Issue(pdf, "reissued" if superseded else "issued", superseded)
