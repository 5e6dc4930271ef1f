"""The demo is generated once per test session; tests read it, never write it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from xinfang.synth import Manifest, generate


@dataclass
class Demo:
    inbox: Path
    manifest: Manifest

    def truth(self, kind: str) -> pd.DataFrame:
        return self.manifest.truth(kind)

    def latest(self, kind: str) -> pd.DataFrame:
        """Each key's row in its latest good file (a row missing later is kept as last seen)."""
        t = self.truth(kind).sort_values(["snapshot_date", "source_row"])
        key = {"petitions": "item_id", "risks": "risk_id", "backlog": "case_id"}[kind]
        return t.drop_duplicates(["unit_code", key], keep="last").reset_index(drop=True)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    root = tmp_path_factory.mktemp("synth-demo")
    manifest = generate(root / "inbox", root / "synth")
    return Demo(root / "inbox", manifest)
