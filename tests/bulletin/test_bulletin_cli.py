"""``xinfang bulletin`` end to end (contexts stubbed), and the pool of warm render processes."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from xinfang.bulletin import batch, sources
from xinfang.bulletin.cli import add_arguments, run
from xinfang.bulletin.context import BulletinContext
from xinfang.bulletin.render import Renderer
from xinfang.config import Settings
from xinfang.warehouse import connect

from .conftest import Bulletin


def main(argv: list[str]) -> int:
    """``xinfang bulletin …`` (without importing every other sub-command's module)."""
    parser = argparse.ArgumentParser(prog="xinfang bulletin")
    add_arguments(parser)
    return run(parser.parse_args(argv))


def test_month_must_be_a_month(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--month", "2025-13"]) == 2
    assert "YYYY-MM" in capsys.readouterr().err


def test_missing_warehouse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--month", "2025-10", "--warehouse", str(tmp_path / "none.duckdb")])
    assert code == 1
    assert "no warehouse" in capsys.readouterr().err


def test_cli_issues_pdf_json_and_index(
    county: Bulletin,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    connect(warehouse).close()
    calls = []

    def load(con: object, month: str, unit: str | None, *, issue_date: object) -> list:
        calls.append((month, unit, issue_date))
        return [county.ctx]

    monkeypatch.setattr(sources, "load_contexts", load)
    args = ["--month", "2025-10", "--unit", "410883", "--warehouse", str(warehouse)]
    assert main(args) == 0
    assert calls == [("2025-10", "410883", None)]
    reports = Settings.from_env().reports
    pdf = reports / "2025-10" / "410883-孟州市-2025-10.pdf"
    assert pdf.read_bytes() == county.rendered.pdf
    figures = json.loads(pdf.with_suffix(".json").read_text(encoding="utf-8"))
    assert figures == json.loads(json.dumps(county.ctx.figures))
    (entry,) = json.loads((reports / "index.json").read_text(encoding="utf-8"))["bulletins"]
    assert entry["pdf"] == "2025-10/410883-孟州市-2025-10.pdf"
    assert (entry["issue_number"], entry["bureau"]) == (10, "孟州市信访局")
    assert capsys.readouterr().out == f"issued\t{pdf}\n"

    def must_not_render(contexts: list, workers: int) -> Iterator:
        assert not contexts  # the same data again: not even rendered
        return iter(())

    monkeypatch.setattr(batch, "render_all", must_not_render)
    assert main(args) == 0
    assert capsys.readouterr().out == f"unchanged\t{pdf}\n"
    assert not list(pdf.parent.glob("*.r1.pdf"))


def test_pool_renders_the_same_bytes_in_order(no_data: Bulletin, renderer: Renderer) -> None:
    """Workers are other interpreters (other hash seeds): their PDFs must be identical."""
    contexts: list[BulletinContext] = [
        replace(no_data.ctx, issue_number=n) for n in range(1, batch.POOL_FROM + 1)
    ]
    results = list(batch.render_all(contexts, workers=2))
    assert [ctx for ctx, _ in results] == contexts
    for _, rendered in results:
        assert not isinstance(rendered, BaseException), rendered
    ctx, rendered = results[-1]
    assert rendered.pdf == renderer.render(ctx).pdf


def test_one_broken_unit_does_not_stop_the_others(no_data: Bulletin) -> None:
    figures = {**no_data.ctx.figures, "windows": {}}  # not a figures file: no windows
    broken = replace(no_data.ctx, figures=figures, has_data=True)
    results = list(batch.render_all([broken, no_data.ctx], workers=1))
    assert isinstance(results[0][1], KeyError)
    assert results[1][1].pdf == no_data.rendered.pdf


def test_pipeline_entry_points(
    no_data: Bulletin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``render_units`` and ``record_issue``, as the monthly DAG calls them."""
    from xinfang import bulletin

    settings = Settings(tmp_path / "inbox", tmp_path / "w.duckdb", tmp_path / "a", tmp_path / "r")
    connect(settings.warehouse).close()
    seen = []

    def contexts_for(con: object, month: str, codes: list[str], issue_date: object) -> list:
        seen.append((month, codes))
        return [no_data.ctx]

    monkeypatch.setattr(sources, "contexts_for", contexts_for)
    paths = bulletin.render_units("2025-10", ["140423"], settings)
    assert seen == [("2025-10", ["140423"])]
    assert paths == [settings.reports / "2025-10" / "140423-襄垣县-2025-10.pdf"]
    assert bulletin.record_issue("2025-10", paths, settings)["bulletins"] == 1
    paths[0].write_bytes(b"%PDF tampered")
    with pytest.raises(RuntimeError, match="not in"):
        bulletin.record_issue("2025-10", paths, settings)
