"""Issuing: file names, revisions only on changed content, nothing overwritten, the index."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from xinfang.bulletin.files import Rendered
from xinfang.bulletin.issue import publish

STEM = "410883-孟州市-2026-10"


def rendered(figures: dict, pdf: bytes) -> Rendered:
    data = (json.dumps(figures, ensure_ascii=False) + "\n").encode()
    return Rendered(STEM, "2026-10", pdf, data, b'{"submissions": []}\n')


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def index(reports: Path) -> list[dict]:
    return json.loads((reports / "index.json").read_text(encoding="utf-8"))["bulletins"]


META = {"unit_code": "410883", "unit_name": "孟州市", "issue_number": 10}


def test_issue_then_unchanged_then_numbered_revisions(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    folder = reports / "2026-10"
    first = publish(reports, rendered({"items_total": 1325}, b"%PDF first"), META)
    assert first.status == "issued"
    assert first.pdf == folder / f"{STEM}.pdf"
    assert (folder / f"{STEM}.json").read_text(encoding="utf-8") == '{"items_total": 1325}\n'

    # same data, issued another day (other PDF bytes): nothing changes
    again = publish(reports, rendered({"items_total": 1325}, b"%PDF first, later date"), META)
    assert again.status == "unchanged"
    assert (folder / f"{STEM}.pdf").read_bytes() == b"%PDF first"
    assert len(index(reports)) == 1

    second = publish(reports, rendered({"items_total": 1326}, b"%PDF second"), META)
    assert second.status == "reissued"
    assert second.superseded == folder / f"{STEM}.r1.pdf"
    assert (folder / f"{STEM}.r1.pdf").read_bytes() == b"%PDF first"
    assert (folder / f"{STEM}.r1.json").read_text(encoding="utf-8") == '{"items_total": 1325}\n'
    assert (folder / f"{STEM}.pdf").read_bytes() == b"%PDF second"

    third = publish(reports, rendered({"items_total": 1327}, b"%PDF third"), META)
    assert third.superseded == folder / f"{STEM}.r2.pdf"
    assert (folder / f"{STEM}.r1.pdf").read_bytes() == b"%PDF first"
    assert (folder / f"{STEM}.r2.pdf").read_bytes() == b"%PDF second"

    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{STEM}{suffix}"
        for suffix in (".pdf", ".json", ".r1.pdf", ".r1.json", ".r2.pdf", ".r2.json")
    )
    entries = index(reports)
    assert [(e["pdf"], e["revision"]) for e in entries] == [
        (f"2026-10/{STEM}.pdf", None),
        (f"2026-10/{STEM}.r1.pdf", 1),
        (f"2026-10/{STEM}.r2.pdf", 2),
    ]
    for entry in entries:
        assert entry["pdf_sha256"] == sha(reports / entry["pdf"])
        assert entry["json_sha256"] == sha(reports / entry["json"])
        assert entry["unit_code"] == "410883"


def test_a_stray_file_is_never_overwritten(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    folder = reports / "2026-10"
    folder.mkdir(parents=True)
    (folder / f"{STEM}.json").write_text("left by an interrupted run\n", encoding="utf-8")
    with pytest.raises(FileExistsError):
        publish(reports, rendered({"items_total": 1}, b"%PDF"), META)
    assert (folder / f"{STEM}.json").read_text(encoding="utf-8") == "left by an interrupted run\n"


def test_an_issue_missing_from_the_index_is_kept_as_a_revision(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    publish(reports, rendered({"items_total": 1}, b"%PDF one"), META)
    (reports / "index.json").unlink()
    issue = publish(reports, rendered({"items_total": 2}, b"%PDF two"), META)
    assert issue.status == "reissued"
    assert issue.superseded.read_bytes() == b"%PDF one"
    assert {e["pdf"]: e["revision"] for e in index(reports)} == {
        f"2026-10/{STEM}.pdf": None,
        f"2026-10/{STEM}.r1.pdf": 1,
    }
