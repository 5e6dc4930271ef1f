"""Citizen ID numbers as the gate sees them: a pandas column checked by :mod:`xinfang.idnumber`.

The gate checks the raw number when it is given one, but nothing it reports ever carries the
number itself: messages, audit rows and Data Docs see :func:`mask` only.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pyarrow as pa

from xinfang import idnumber

PROBLEMS = idnumber.PROBLEMS


def normalise(values: pd.Series) -> pd.Series:
    """Strip white space and upper-case the check character; empty cells become missing."""
    text = values.astype("str").str.strip().str.upper()
    return text.mask(text == "")


def problems(values: pd.Series, *, today: date) -> pd.Series:
    """Per value: missing when valid or absent, else the first of :data:`PROBLEMS` it has.

    A birth date must be a real calendar day, not before 1900 and not after ``today``.
    """
    ids = pa.array(normalise(values), from_pandas=True).cast(pa.string())
    return pd.Series(idnumber.problems(ids, today), index=values.index, dtype="string")


def mask(value: object) -> str | None:
    """:func:`xinfang.idnumber.mask` of the trimmed value; None for a missing one."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return idnumber.mask(str(value).strip())
