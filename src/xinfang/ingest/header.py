"""Recognise the ledger from its header row, not from the file name.

The header row is the first of the top rows holding every required header of a ledger (its
canonical header or an alias, compared after :func:`xinfang.schema.normalise_header`; a
leading or trailing ``*`` marking a required column is ignored). In a row, a canonical header
beats an alias for the same field (``编号`` is an alias in all three ledgers), and of two
columns with the same header the left one is read. Text above the header saying ``示例数据``
marks the file as sample data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from xinfang.ingest.sheet import Row
from xinfang.schema import LEDGERS, Field, Ledger, normalise_header

SAMPLE_MARK = "示例数据"


@dataclass(frozen=True)
class Column:
    index: int  # absolute 0-based column
    header: str  # as written, white space collapsed


@dataclass(frozen=True)
class HeaderMatch:
    ledger: Ledger
    row_index: int  # 0-based among the sheet's rows
    columns: dict[str, Column]  # field name -> column
    is_sample: bool


@dataclass(frozen=True)
class HeaderIncomplete:
    """The closest ledger header found lacks these required fields."""

    ledger: Ledger
    missing: tuple[Field, ...]


def _key(text: str) -> str:
    return normalise_header(text).strip("*")


@cache
def _headers(kind: str) -> dict[str, tuple[str, bool]]:
    """Folded header -> (field name, is the canonical header) for one ledger."""
    return {
        normalise_header(h): (f.name, h == f.header)
        for f in LEDGERS[kind].fields
        for h in f.headers
    }


def match_row(row: Row, ledger: Ledger) -> dict[str, Column]:
    """Field name -> column for every header in ``row`` that names a field of ``ledger``."""
    exact: dict[str, Column] = {}
    alias: dict[str, Column] = {}
    headers = _headers(ledger.kind)
    for index in sorted(row):
        name, canonical = headers.get(_key(row[index]), (None, False))
        if name:
            found = exact if canonical else alias
            found.setdefault(name, Column(index, " ".join(row[index].split())))
    return exact | {name: c for name, c in alias.items() if name not in exact}


def _sample(rows: list[Row]) -> bool:
    return any(SAMPLE_MARK in normalise_header(v) for row in rows for v in row.values())


def find_header(top: list[Row]) -> HeaderMatch | HeaderIncomplete | None:
    """The first complete header row; else the best partial one (at least half the required
    headers of a ledger); else None."""
    best: tuple[int, HeaderIncomplete] | None = None
    for index, row in enumerate(top):
        complete = []
        for ledger in LEDGERS.values():
            columns = match_row(row, ledger)
            missing = tuple(f for f in ledger.required if f.name not in columns)
            if not missing:
                complete.append((len(columns), ledger, columns))
            elif 2 * (len(ledger.required) - len(missing)) >= len(ledger.required):
                found = len(ledger.required) - len(missing)
                if best is None or found > best[0]:
                    best = (found, HeaderIncomplete(ledger, missing))
        if complete:
            _, ledger, columns = max(complete, key=lambda c: c[0])
            return HeaderMatch(ledger, index, columns, _sample(top[:index]))
    return best[1] if best else None
