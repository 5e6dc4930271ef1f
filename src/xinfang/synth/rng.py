"""Seeded random generators: one independent stream per (seed, unit, purpose).

A unit's data depends only on the seed and the unit, never on which other units are generated
with it or in which process, so a prefecture run and a province run agree on shared units.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, *parts: str | int) -> np.random.Generator:
    """A generator for ``seed`` and a path of labels (unit code, ledger kind, purpose...)."""
    words = [seed, *(p if isinstance(p, int) else zlib.crc32(p.encode("utf-8")) for p in parts)]
    return np.random.default_rng(np.random.SeedSequence(words))


def pick(rng: np.random.Generator, weights: dict[str, float], size: int) -> np.ndarray:
    """``size`` draws from the keys of ``weights`` (normalised), as an object array."""
    keys = np.array(list(weights), dtype=object)
    p = np.fromiter(weights.values(), float)
    return keys[rng.choice(len(keys), size=size, p=p / p.sum())]
