"""Monthly PDF bulletins (信访工作月报): prose, charts, HTML, PDF/A-3b, issue and index.

The two entry points the monthly pipeline calls; everything heavy is imported inside them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xinfang.config import Settings


def render_units(month: str, units: list[str], settings: Settings) -> list[Path]:
    """Render and issue the bulletins of ``units`` for ``month`` in this process.

    The caller holds the warehouse's shared lock and runs one such batch per process.
    """
    from xinfang.bulletin.cli import issue_all
    from xinfang.bulletin.sources import contexts_for, default_issue_date
    from xinfang.warehouse import connect

    con = connect(settings.warehouse, read_only=True)
    try:
        contexts = contexts_for(con, month, units, default_issue_date())
    finally:
        con.close()
    paths, failures = issue_all(contexts, settings.reports, workers=1)
    if failures:
        raise RuntimeError(f"{failures} of {len(contexts)} bulletins for {month} failed")
    return paths


def record_issue(month: str, paths: list[Path], settings: Settings) -> dict[str, Any]:
    """Check that every bulletin of the month is in the index with the SHA-256 of its file."""
    from xinfang.bulletin.files import sha256
    from xinfang.bulletin.issue import INDEX, load_index

    reports = settings.reports
    entries = {e["pdf"]: e for e in load_index(reports)}
    for path in paths:
        entry = entries.get(str(path.relative_to(reports)))
        if entry is None or entry["pdf_sha256"] != sha256(path.read_bytes()):
            raise RuntimeError(f"{path} is not in {reports / INDEX} as issued")
    return {"month": month, "bulletins": len(paths), "index": str(reports / INDEX)}
