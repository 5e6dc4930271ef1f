"""The frames GX validates, derived from ingestion's normalised frame.

:func:`validation_frame` keeps ``source_row`` and the ledger's fields with types GX compares
fast (dates ``datetime64[ns]``, numbers ``float64``), adds the derived columns the suites check
(``category_l1``, ``id_number_problem``) and drops every personal identifier: GX never sees an
ID number, so no validation result can carry one. :func:`comparison_frame` lines a submission up
with the unit's previous accepted one for the ``submission`` suite.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from xinfang.quality import idcard
from xinfang.quality.suites import CATEGORY_COLUMN, ID_PROBLEM_COLUMN, REGISTRATION_DATE
from xinfang.schema import CATEGORY_CROSSWALK, Ledger

_DATE = "datetime64[ns]"


def as_dates(values: pd.Series) -> pd.Series:
    """Dates as ``datetime64[ns]``, the type GX compares without a Python loop."""
    if pd.api.types.is_datetime64_dtype(values.dtype):
        return values.astype(_DATE)
    return pd.to_datetime(values, errors="coerce").astype(_DATE)


def as_keys(values: pd.Series) -> pd.Series:
    """Row keys as text objects (hashed fast when compared), missing ones NaN."""
    return values.astype("str").astype(object)


def first_level(categories: pd.Series) -> pd.Series:
    """The first level of ``一级_二级_三级`` after the crosswalk of old class names."""
    level = categories.astype("str").str.replace(r"_.*$", "", regex=True).str.strip()
    return level.replace(CATEGORY_CROSSWALK)


def validation_frame(
    frame: pd.DataFrame, ledger: Ledger, *, received_on: date, present: Collection[str] | None
) -> pd.DataFrame:
    """What the ledger's suite validates; ``present`` names the fields the file had a column for.

    A required field without a column is left out, so ``column.missing`` fails; an optional one
    becomes an empty column, so its rules pass.
    """
    out = pd.DataFrame({"source_row": frame["source_row"].astype("int64")}, index=frame.index)
    for f in ledger.fields:
        if not f.stored or f.kind == "pii_id":
            continue
        in_file = f.column in frame.columns and (present is None or f.name in present)
        if not in_file and f.required:
            continue
        values = frame[f.column] if in_file else pd.Series(pd.NA, index=frame.index, dtype=object)
        if f.kind == "date":
            values = as_dates(values)
        elif f.kind in ("int", "money"):
            values = pd.to_numeric(values, errors="coerce").astype("float64")
        out[f.column] = values
        if f.kind == "category":
            out[CATEGORY_COLUMN] = _first_levels(frame, values)
    id_field = next((f for f in ledger.fields if f.kind == "pii_id"), None)
    if id_field is not None:
        out[ID_PROBLEM_COLUMN] = _id_problems(frame, id_field.name, received_on)
    return out


def _id_problems(frame: pd.DataFrame, column: str, received_on: date) -> pd.Series:
    """Checked from the raw numbers; else the problem codes ingestion found, if it passed them."""
    if column in frame.columns:
        return idcard.problems(frame[column], today=received_on)
    if ID_PROBLEM_COLUMN in frame.columns:
        return frame[ID_PROBLEM_COLUMN].astype("string")
    return pd.Series(pd.NA, index=frame.index, dtype="string")


def _first_levels(frame: pd.DataFrame, categories: pd.Series) -> pd.Series:
    """Ingestion's ``category_l1``; where it could not map a class, the first level as written."""
    if CATEGORY_COLUMN in frame.columns:
        level = frame[CATEGORY_COLUMN].astype("str")
    else:
        level = pd.Series(None, index=frame.index, dtype="str")
    missing = level.isna()
    level[missing] = first_level(categories[missing])
    return level


@dataclass(frozen=True)
class PreviousSubmission:
    """The unit's previous accepted submission of a ledger, as much as the comparison needs."""

    submission_id: str
    received_at: datetime
    file_name: str
    #: One row per row of that submission: ``key``, ``registration_date``.
    rows: pd.DataFrame

    @property
    def row_count(self) -> int:
        return len(self.rows)


def snapshot(frame: pd.DataFrame, ledger: Ledger) -> pd.DataFrame:
    """``key``, ``source_row``, ``registration_date`` of every row: all the comparison needs."""
    reg = REGISTRATION_DATE[ledger.kind]
    return pd.DataFrame(
        {
            "key": as_keys(frame[ledger.key]) if ledger.key in frame else None,
            "source_row": frame["source_row"].astype("int64"),
            "registration_date": as_dates(frame[reg]) if reg in frame else pd.NaT,
        }
    ).reset_index(drop=True)


def comparison_frame(current: pd.DataFrame, previous: PreviousSubmission | None) -> pd.DataFrame:
    """One row per current row (``in_current`` = 1) and per vanished key (``vanished_key``)."""
    rows = previous.rows if previous else pd.DataFrame({"key": [], "registration_date": []})
    prev = pd.DataFrame(
        {
            "key": as_keys(rows["key"]),
            "previous_registration_date": as_dates(rows["registration_date"]),
        }
    ).dropna(subset=["key"])
    prev = prev.drop_duplicates("key", keep="last")
    now = current.merge(prev, on="key", how="left").assign(in_current=1, vanished_key=None)
    gone = prev.loc[~prev["key"].isin(current["key"].dropna()), "key"]
    vanished = pd.DataFrame({"key": gone, "in_current": 0, "vanished_key": gone})
    out = pd.concat([now, vanished], ignore_index=True)
    return out.astype(
        {
            "source_row": "Int64",
            "in_current": "int64",
            "vanished_key": object,
            "registration_date": _DATE,
            "previous_registration_date": _DATE,
        }
    )
