"""Same seed, same bytes (and mtimes), whatever the number of worker processes."""

from __future__ import annotations

import os
from pathlib import Path

from xinfang.synth import generate

SMALL = {"units": ["410883", "410803"], "months": 4, "snapshots": 2}


def _state(root: Path) -> dict[str, tuple]:
    """Every file under ``root``: bytes and mtime; a symlink as its target below ``root``."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        st = os.lstat(path)
        if path.is_symlink():
            out[rel] = ("link", Path(os.readlink(path)).relative_to(root).as_posix(), st.st_mtime)
        elif path.is_file():  # the manifest's own files are dated when written
            out[rel] = (
                path.read_bytes(),
                None if rel.endswith((".json", ".parquet")) else st.st_mtime,
            )
    return out


def test_same_seed_same_bytes_different_seed_different_data(tmp_path):
    runs = {}
    for name, seed, jobs in (("a", 7, 1), ("b", 7, 2), ("c", 8, 2)):
        root = tmp_path / name
        generate(root / "inbox", root / "synth", seed=seed, jobs=jobs, **SMALL)
        runs[name] = _state(root)
    a, b, c = runs["a"], runs["b"], runs["c"]
    assert len(a) > 30 and a == b
    assert "synth/manifest.json" in a and "synth/truth_petitions.parquet" in a
    common = set(a) & set(c)
    assert sum(a[k] != c[k] for k in common) > 0.8 * len(common)
