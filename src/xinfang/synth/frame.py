"""A ledger table as plain column arrays, and the few vector operations the generator needs.

Conventions: dates are ``datetime64[D]`` (NaT = empty), enums and text are object arrays of
``str`` or ``None``, booleans are ``int8`` (-1 = empty, 0, 1), counts are ``int32`` (0 = empty,
a count is never 0), money is ``float64`` (NaN = empty).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

Frame = dict[str, np.ndarray]
NAT = np.datetime64("NaT", "D")


def take(frame: Frame, index: np.ndarray) -> Frame:
    """Rows of ``frame`` by a boolean mask or an index array."""
    return {name: col[index] for name, col in frame.items()}


def length(frame: Frame) -> int:
    return len(next(iter(frame.values())))


def lookup(values: np.ndarray, mapping: Mapping[str, object]) -> np.ndarray:
    """``mapping[v]`` for every value (``None`` stays), one look-up per distinct value."""
    out = np.full(len(values), None, dtype=object)
    present = np.not_equal(values, None)
    if present.any():
        uniq, inverse = np.unique(values[present].astype(str), return_inverse=True)
        mapped = np.empty(len(uniq), dtype=object)
        mapped[:] = [mapping[u] for u in uniq]
        out[present] = mapped[inverse]
    return out


def where_date(mask: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """``dates`` where ``mask``, NaT elsewhere."""
    return np.where(mask, dates, NAT)


def where_obj(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` where ``mask``, ``None`` elsewhere."""
    out = np.full(len(mask), None, dtype=object)
    out[mask] = values[mask]
    return out


def on_or_before(dates: np.ndarray, day: np.datetime64) -> np.ndarray:
    """``dates <= day`` with NaT counting as never."""
    return ~np.isnat(dates) & (dates <= day)
