"""Column values → cells as a clerk writes them, one vector operation per column and spelling.

Every renderer takes the column's clean values (see ``frame``) and returns an object array of
cells: ``str``, ``int``, ``float``, ``datetime.date`` (a real date cell) or ``None`` (empty). With
``text=True`` (CSV) every cell is a string.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

from xinfang.schema import Field

FULLWIDTH = str.maketrans("0123456789-/.", "０１２３４５６７８９－／．")
SERIAL_EPOCH = np.datetime64("1899-12-30")
DATE_TEXT: dict[str, Callable[[date], str]] = {
    "iso": date.isoformat,
    "slash": lambda d: f"{d.year}/{d.month}/{d.day}",
    "dot": lambda d: f"{d.year}.{d.month}.{d.day}",
    "cn": lambda d: f"{d.year}年{d.month}月{d.day}日",
}
BOOL_TEXT = {
    "yes_no": ("否", "是"),
    "y_n": ("N", "Y"),
    "one_zero": ("0", "1"),
    "check": (None, "√"),
}
PADDING = ("\u3000", " ", "\u3000\u3000")


@dataclass
class Spelling:
    """The per-file choices the renderers apply, and what they actually used."""

    rng: np.random.Generator
    text: bool
    dates: tuple[str, ...]
    date_mix: float
    bools: str
    enum_alias_rate: float
    fullwidth_rate: float
    padding_rate: float
    used: set[str]

    def some(self, present: np.ndarray, rate: float) -> np.ndarray:
        return present & (self.rng.random(len(present)) < rate)

    def fullwidth(self, out: np.ndarray, present: np.ndarray, *, numbers: bool = False) -> None:
        """Type a share of the cells in full width (``numbers``: counts become such text)."""
        rows = np.flatnonzero(self.some(present, self.fullwidth_rate))
        rows = [i for i in rows if numbers or isinstance(out[i], str)]
        if rows:
            out[rows] = [str(v).translate(FULLWIDTH) for v in out[rows]]
            self.used.add("fullwidth_digits")


def text(values: np.ndarray, sp: Spelling, *, digits: bool = False) -> np.ndarray:
    """Text; a share padded with stray spaces, keys (``digits``) sometimes typed in full width."""
    out = values.copy()
    present = np.not_equal(values, None)
    pad = sp.some(present, sp.padding_rate)
    if pad.any():
        where = sp.rng.integers(0, 3, int(pad.sum()))
        blanks = np.array(PADDING, dtype=object)[sp.rng.integers(0, len(PADDING), len(where))]
        out[pad] = [
            b + v if w == 0 else v + b if w == 1 else b + v + b
            for v, w, b in zip(out[pad], where, blanks, strict=True)
        ]
        sp.used.add("padded_text")
    if digits:
        sp.fullwidth(out, present)
    return out


def dates(values: np.ndarray, sp: Spelling) -> np.ndarray:
    n = len(values)
    out = np.full(n, None, dtype=object)
    present = ~np.isnat(values)
    choice = np.zeros(n, dtype=np.int64)
    if len(sp.dates) > 1:
        mixed = sp.some(present, sp.date_mix)
        choice[mixed] = sp.rng.integers(1, len(sp.dates), int(mixed.sum()))
    for i, style in enumerate(sp.dates):
        rows = present & (choice == i)
        if not rows.any():
            continue
        sp.used.add(f"date_{style}")
        if style == "serial":
            serial = (values[rows] - SERIAL_EPOCH).astype(np.int64)
            out[rows] = serial.astype(str) if sp.text else serial.tolist()
        elif style == "cell":
            out[rows] = values[rows].astype(date)
        else:
            uniq, inverse = np.unique(values[rows], return_inverse=True)
            spelled = np.array([DATE_TEXT[style](d) for d in uniq.astype(date)], dtype=object)
            out[rows] = spelled[inverse]
    if len({s for s in sp.used if s.startswith("date_")}) > 1:
        sp.used.add("date_mixed")
    sp.fullwidth(out, present)
    return out


def enum(values: np.ndarray, sp: Spelling, f: Field) -> np.ndarray:
    """Canonical values, a share written as an alias of the field (来访, 赴京, 红, 已销号)."""
    out = values.copy()
    rows = np.flatnonzero(sp.some(np.not_equal(values, None), sp.enum_alias_rate))
    chosen = values[rows]
    for canonical in f.canonical_values:
        aliases = [a for a, c in f.values.items() if c == canonical and a != canonical]
        sel = rows[chosen == canonical]
        if aliases and len(sel):
            out[sel] = np.array(aliases, dtype=object)[sp.rng.integers(0, len(aliases), len(sel))]
            sp.used.add("enum_alias")
    return out


def bools(values: np.ndarray, sp: Spelling) -> tuple[np.ndarray, np.ndarray]:
    """Cells, and the booleans a reader gets back: in a ``√`` column a blank is 否, but only a
    column that shows at least one ``√`` is recognisably such a column."""
    false, true = BOOL_TEXT[sp.bools]
    out = np.full(len(values), None, dtype=object)
    out[values == 1] = true if sp.text or sp.bools != "one_zero" else 1
    out[values == 0] = false if sp.text or sp.bools != "one_zero" else 0
    sp.used.add(f"bool_{sp.bools}")
    if sp.bools != "check":
        return out, values
    if (values == 1).any():
        return out, np.where(values == 1, np.int8(1), np.int8(0))
    return out, np.full(len(values), np.int8(-1))


def counts(values: np.ndarray, sp: Spelling) -> np.ndarray:
    out = np.full(len(values), None, dtype=object)
    present = values > 0
    out[present] = values[present].astype(str) if sp.text else values[present].tolist()
    sp.fullwidth(out, present, numbers=True)
    return out


def money(values: np.ndarray, sp: Spelling) -> np.ndarray:
    out = np.full(len(values), None, dtype=object)
    present = ~np.isnan(values)
    out[present] = [f"{v:.2f}" for v in values[present]] if sp.text else values[present].tolist()
    return out
