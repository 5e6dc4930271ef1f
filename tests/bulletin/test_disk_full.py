"""A disk that fills up while a bulletin is issued: nothing partial is ever published.

The disk is simulated: ``os.write`` to a file under ``reports/`` writes at most the bytes left
(a short write, as a real disk does) and then fails with ENOSPC; the links and renames that put
finished files in place can fail the same way. After every failure the tree under ``reports/``
must be byte for byte what it was, and issuing again once there is room must work.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from xinfang.bulletin import sources
from xinfang.bulletin.files import Rendered, sha256, to_json_bytes
from xinfang.bulletin.issue import INDEX, LOCK, DiskFull, load_index, publish
from xinfang.cli import main
from xinfang.config import Settings
from xinfang.warehouse import connect

from .conftest import PERIOD, Bulletin

META = {"unit_code": "410883", "unit_name": "孟州市", "issue_number": 10}


def no_space() -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def full_disk(monkeypatch: pytest.MonkeyPatch, root: Path, free: int) -> None:
    """Files under ``root`` get ``free`` more bytes in all; a write beyond that fails."""
    real = os.write
    left = [free]

    def write(fd: int, data: bytes) -> int:
        if not os.readlink(f"/proc/self/fd/{fd}").startswith(f"{root.resolve()}/"):
            return real(fd, data)
        if left[0] <= 0:
            raise no_space()
        written = real(fd, bytes(data[: left[0]]))
        left[0] -= written
        return written

    monkeypatch.setattr(os, "write", write)


def failing_step(monkeypatch: pytest.MonkeyPatch, step: int) -> None:
    """The ``step``-th link or rename fails with ENOSPC (a directory that cannot grow)."""
    calls = [0]

    def failing(real: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
        def call(source: Any, target: Any) -> None:
            calls[0] += 1
            if calls[0] == step:
                raise no_space()
            real(source, target)

        return call

    monkeypatch.setattr(os, "link", failing(os.link))
    monkeypatch.setattr(os, "replace", failing(os.replace))


def tree(reports: Path) -> dict[str, bytes]:
    """Every file under ``reports`` (temporary ones included) but the lock, with its bytes."""
    return {
        str(p.relative_to(reports)): p.read_bytes()
        for p in sorted(reports.rglob("*"))
        if p.is_file() and p.name != LOCK
    }


def changed(earlier: Rendered, pdf: bytes) -> Rendered:
    """The same bulletin with other figures (so a re-issue) and another (complete) PDF."""
    figures = json.loads(earlier.figures_json)
    figures["items_total"] = "changed"
    return replace(earlier, figures_json=to_json_bytes(figures), pdf=pdf)


def assert_indexed(reports: Path) -> None:
    """Every index entry's files exist with the SHA-256 the index gives them."""
    for entry in load_index(reports):
        assert sha256((reports / entry["pdf"]).read_bytes()) == entry["pdf_sha256"]
        assert sha256((reports / entry["json"]).read_bytes()) == entry["json_sha256"]


@pytest.fixture
def reports(tmp_path: Path, no_data: Bulletin) -> Path:
    """A month that already has another unit's bulletin."""
    reports = tmp_path / "reports"
    publish(reports, no_data.rendered, {"unit_code": "140423"})
    return reports


def stem_path(reports: Path, county: Bulletin, suffix: str) -> Path:
    return reports / PERIOD / f"{county.rendered.stem}{suffix}"


# the bytes left, as a function of (figures, PDF, index) sizes, and the file that fills the disk
WRITES = {
    "no room at all": (lambda j, p, i: 0, ".json"),
    "figures file half written": (lambda j, p, i: j // 2, ".json"),
    "PDF half written": (lambda j, p, i: j + p // 2, ".pdf"),
    "PDF all but its last byte": (lambda j, p, i: j + p - 1, ".pdf"),
    "index half written": (lambda j, p, i: j + p + i // 2, INDEX),
}


@pytest.mark.parametrize("reissue", [False, True], ids=["first issue", "re-issue"])
@pytest.mark.parametrize("case", list(WRITES))
def test_disk_full_while_writing_publishes_nothing(
    reports: Path,
    county: Bulletin,
    prefecture: Bulletin,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
    reissue: bool,
) -> None:
    if reissue:
        publish(reports, county.rendered, META)
    bulletin = changed(county.rendered, prefecture.rendered.pdf) if reissue else county.rendered
    before = tree(reports)
    index_size = len((reports / INDEX).read_bytes()) + 1000  # the new index is a little longer
    free, full = WRITES[case]
    room = free(len(bulletin.figures_json), len(bulletin.pdf), index_size)
    full_disk(monkeypatch, reports, room)

    with pytest.raises(DiskFull) as raised:
        publish(reports, bulletin, META)

    target = reports / INDEX if full == INDEX else stem_path(reports, county, full)
    assert raised.value.errno == errno.ENOSPC
    assert raised.value.filename == str(target)
    assert str(raised.value).startswith(
        f"disk full (no space left on device) while writing {target}"
    )
    assert tree(reports) == before  # no partial file, no temporary file, index as it was
    assert_indexed(reports)

    monkeypatch.undo()  # space freed
    issue = publish(reports, bulletin, META)
    assert issue.status == ("reissued" if reissue else "issued")
    assert issue.pdf.read_bytes() == bulletin.pdf
    assert issue.pdf.with_suffix(".json").read_bytes() == bulletin.figures_json
    if reissue:
        assert stem_path(reports, county, ".r1.pdf").read_bytes() == county.rendered.pdf
        assert stem_path(reports, county, ".r1.json").read_bytes() == county.rendered.figures_json
    assert_indexed(reports)
    assert not [name for name in tree(reports) if name.endswith(".tmp")]


# the links and renames of each kind of issue, in order, and the name each one makes
STEPS = {
    False: [".json", ".pdf", INDEX],
    True: [".r1.json", ".r1.pdf", ".json", ".pdf", INDEX],
}


@pytest.mark.parametrize(
    ("reissue", "step"),
    [(reissue, step) for reissue, names in STEPS.items() for step in range(1, len(names) + 1)],
)
def test_a_step_that_fails_is_undone_with_the_steps_before_it(
    reports: Path,
    county: Bulletin,
    prefecture: Bulletin,
    monkeypatch: pytest.MonkeyPatch,
    reissue: bool,
    step: int,
) -> None:
    if reissue:
        publish(reports, county.rendered, META)
    bulletin = changed(county.rendered, prefecture.rendered.pdf) if reissue else county.rendered
    before = tree(reports)
    failing_step(monkeypatch, step)

    with pytest.raises(DiskFull) as raised:
        publish(reports, bulletin, META)

    name = STEPS[reissue][step - 1]
    assert raised.value.filename == str(
        reports / INDEX if name == INDEX else stem_path(reports, county, name)
    )
    assert tree(reports) == before
    monkeypatch.undo()
    assert publish(reports, bulletin, META).status == ("reissued" if reissue else "issued")
    assert_indexed(reports)


def test_the_command_says_the_disk_is_full(
    county: Bulletin,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    connect(warehouse).close()
    monkeypatch.setattr(sources, "load_contexts", lambda *args, **kwargs: [county.ctx])
    monkeypatch.setenv("XINFANG_REPORTS", str(tmp_path / "reports"))
    reports = Settings.from_env().reports
    reports.mkdir()
    before = tree(reports)
    full_disk(monkeypatch, reports, 0)

    code = main(["bulletin", "--month", PERIOD, "--warehouse", str(warehouse)])

    assert code == 1
    err = capsys.readouterr().err
    figures = reports / PERIOD / f"{county.rendered.stem}.json"
    assert f"xinfang bulletin: disk full (no space left on device) while writing {figures}" in err
    assert "Free disk space and issue it again." in err
    assert tree(reports) == before
