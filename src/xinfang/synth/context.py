"""What every ledger generator of one unit shares."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xinfang.reference import Unit, units
from xinfang.synth.calendar import Window
from xinfang.synth.places import townships
from xinfang.synth.rng import stream


@dataclass(frozen=True)
class UnitContext:
    unit: Unit
    window: Window
    seed: int

    def rng(self, *parts: str | int) -> np.random.Generator:
        return stream(self.seed, int(self.unit.code), *parts)

    @property
    def townships(self) -> np.ndarray:
        return townships(self.rng("townships"), self.unit)

    def township_draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` townships, some busier than others (the same ones in every ledger)."""
        towns = self.townships
        weights = self.rng("township-weights").dirichlet(np.full(len(towns), 2.0))
        return towns[rng.choice(len(towns), n, p=weights)]

    def home_provinces(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Province prefixes of petitioners: mostly the unit's own, some from elsewhere."""
        others = np.array(sorted({u.code[:2] for u in units().values()}))
        prov = np.full(n, self.unit.code[:2])
        away = rng.random(n) < 0.08
        prov[away] = others[rng.integers(0, len(others), int(away.sum()))]
        return prov


def choose(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One category index per row of a (rows × categories) probability matrix."""
    cum = np.cumsum(probabilities / probabilities.sum(axis=1, keepdims=True), axis=1)
    return (rng.random(len(cum))[:, None] > cum[:, :-1]).sum(axis=1)
