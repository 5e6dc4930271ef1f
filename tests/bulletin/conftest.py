"""Session-wide bulletins: each distinct PDF is rendered once and shared by the tests."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from xinfang.bulletin.context import BulletinContext
from xinfang.bulletin.files import Rendered
from xinfang.bulletin.render import Renderer

from .bulletin_figures import county_context, prefecture_context

PERIOD = "2025-10"
COUNTY = "410883"  # 孟州市
PREFECTURE = "410800"  # 焦作市


@dataclass(frozen=True)
class Bulletin:
    ctx: BulletinContext
    rendered: Rendered
    path: Path

    @property
    def text(self) -> str:
        """The PDF's text as pdftotext reads it, one string per page."""
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(self.path), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    @property
    def flat(self) -> str:
        """The text without any white space, so that line breaks cannot split a figure."""
        return "".join(self.text.split())


@pytest.fixture(scope="session")
def renderer() -> Renderer:
    return Renderer()


def _bulletin(renderer: Renderer, ctx: BulletinContext, folder: Path) -> Bulletin:
    rendered = renderer.render(ctx)
    path = folder / f"{rendered.stem}.pdf"
    path.write_bytes(rendered.pdf)
    return Bulletin(ctx, rendered, path)


@pytest.fixture(scope="session")
def county(renderer: Renderer, tmp_path_factory: pytest.TempPathFactory) -> Bulletin:
    return _bulletin(renderer, county_context(COUNTY, PERIOD), tmp_path_factory.mktemp("county"))


@pytest.fixture(scope="session")
def prefecture(renderer: Renderer, tmp_path_factory: pytest.TempPathFactory) -> Bulletin:
    ctx = prefecture_context(PREFECTURE, PERIOD)
    return _bulletin(renderer, ctx, tmp_path_factory.mktemp("prefecture"))


@pytest.fixture(scope="session")
def no_data(renderer: Renderer, tmp_path_factory: pytest.TempPathFactory) -> Bulletin:
    ctx = county_context("140423", PERIOD, has_data=False, trend={})
    return _bulletin(renderer, ctx, tmp_path_factory.mktemp("no-data"))


@pytest.fixture(scope="session")
def sample(renderer: Renderer, tmp_path_factory: pytest.TempPathFactory) -> Bulletin:
    ctx = county_context("431202", "2026-01", is_sample=True)
    return _bulletin(renderer, ctx, tmp_path_factory.mktemp("sample"))
