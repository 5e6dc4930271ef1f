"""Citizen ID numbers (GB 11643-1999): what is wrong with one, and how to show it masked.

The gate checks the raw number before ingestion pseudonymises it, but nothing it reports ever
carries the number itself: messages, audit rows and Data Docs see :func:`mask` only.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import numpy as np
import pandas as pd

from xinfang.reference import units

_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_CHECK_CODES = np.frombuffer(b"10X98765432", np.uint8).astype(np.uint32)
_MONTH_DAYS = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
#: Residence permits of Hong Kong, Macao and Taiwan residents (港澳台居民居住证) use these.
_PERMIT_PREFIXES = ("81", "82", "83")
_FORMAT = r"\d{17}[\dX]"
_EARLIEST_BIRTH = 19000101

#: The problems, in the order they are looked for; a number gets the first that applies.
PROBLEMS = ("format", "province", "birth_date", "check_digit")


@cache
def province_prefixes() -> frozenset[str]:
    """The first two digits of every province in the reference units, and the permit prefixes."""
    return frozenset({u.province_code[:2] for u in units().values()} | set(_PERMIT_PREFIXES))


def normalise(values: pd.Series) -> pd.Series:
    """Strip white space and upper-case the check character; empty cells become missing."""
    text = values.astype("str").str.strip().str.upper()
    return text.mask(text == "")


def _birth_ok(digits: np.ndarray, today: date) -> np.ndarray:
    """Digits 7-14 are a calendar day from 1900-01-01 to ``today``."""
    year = digits[:, 6:10] @ np.array([1000, 100, 10, 1])
    month = digits[:, 10:12] @ np.array([10, 1])
    day = digits[:, 12:14] @ np.array([10, 1])
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_ok = (month >= 1) & (month <= 12)
    last = np.where(month_ok, _MONTH_DAYS[np.clip(month, 0, 12)], 0) - ((month == 2) & ~leap)
    stamp = year * 10000 + month * 100 + day
    today_stamp = today.year * 10000 + today.month * 100 + today.day
    return (
        month_ok & (day >= 1) & (day <= last) & (stamp >= _EARLIEST_BIRTH) & (stamp <= today_stamp)
    )


def problems(values: pd.Series, *, today: date) -> pd.Series:
    """Per value: missing when valid or absent, else the first of :data:`PROBLEMS` it has.

    A birth date must be a real calendar day, not before 1900 and not after ``today``.
    """
    ids = normalise(values)
    out = np.full(len(ids), None, dtype=object)
    present = ids.notna().to_numpy()
    shaped = ids.str.fullmatch(_FORMAT).fillna(False).to_numpy(dtype=bool)
    out[present & ~shaped] = "format"
    if shaped.any():
        codes = ids[shaped].to_numpy(dtype="U18").view(np.uint32).reshape(-1, 18)
        digits = codes[:, :17].astype(np.int64) - ord("0")
        found = np.full(len(codes), None, dtype=object)
        found[codes[:, 17] != _CHECK_CODES[(digits @ _WEIGHTS) % 11]] = "check_digit"
        found[~_birth_ok(digits, today)] = "birth_date"  # the first problem wins: set last
        prefixes = [int(p) for p in province_prefixes()]
        found[~np.isin(digits[:, 0] * 10 + digits[:, 1], prefixes)] = "province"
        out[shaped] = found
    return pd.Series(out, index=values.index, dtype="string")


def mask(value: object) -> str | None:
    """Keep the first 4 and the last 2 characters, star the rest (short values all stars)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    if len(text) <= 6:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 6) + text[-2:]
