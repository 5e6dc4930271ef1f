"""How numbers are printed: counts as digits, rates with at most the figures file's two decimals.

Every derived figure (a share, a percentage-point change) uses the figures file's own rule,
``round_half_up(x, 2)``, so what the PDF prints is consistent with the JSON beside it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

Rate = dict[str, Any]  # {"num": int, "den": int, "pct": float | None}

HUNDREDTH = Decimal("0.01")


def to_decimal(value: float | int) -> Decimal:
    """The exact decimal a figures-file number stands for (``repr`` is the shortest round-trip)."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def round_half_up(value: Decimal) -> Decimal:
    return value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def share(num: int, den: int) -> Decimal | None:
    """``round_half_up(100 × num / den, 2)``, ``None`` for a zero base, as indicators.md rules."""
    if den == 0:
        return None
    return round_half_up(Decimal(100 * num) / Decimal(den))


def plain(value: Decimal | float) -> str:
    """Two decimals or fewer, trailing zeros dropped: 6.08, 95.5, 100."""
    text = f"{round_half_up(to_decimal(value) if isinstance(value, float) else value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def pct(value: Decimal | float) -> str:
    return f"{plain(value)}%"


def rate_pct(rate: Rate) -> str:
    """A rate as printed; an em dash when it has no base."""
    return "—" if rate["pct"] is None else pct(rate["pct"])


def money(yuan: float) -> str:
    """元 below ten thousand, otherwise 万元, with at most two decimals."""
    amount = to_decimal(yuan)
    if abs(amount) < 10000:
        return f"{plain(amount)}元"
    return f"{plain(amount / 10000)}万元"


def relative_change(current: float, base: float) -> Decimal | None:
    """``round_half_up(100 × (x − base) / base, 2)``, ``None`` for a zero base (同比, 环比)."""
    if base == 0:
        return None
    return round_half_up(100 * (to_decimal(current) - to_decimal(base)) / to_decimal(base))


def points(current: float | None, base: float | None) -> Decimal | None:
    """Percentage-point difference of two rates, ``None`` when either has no base."""
    if current is None or base is None:
        return None
    return round_half_up(to_decimal(current) - to_decimal(base))


def signed(value: Decimal | float | None, suffix: str = "%") -> str:
    """A change for a table cell: +6.08%, -3.1%, 持平; an em dash without a base."""
    if value is None:
        return "—"
    if value == 0:
        return "持平"
    return f"{'+' if value > 0 else '-'}{plain(abs(value))}{suffix}"
