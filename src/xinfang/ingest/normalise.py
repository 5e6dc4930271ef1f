"""From text cells to the ledger's typed fields, with a problem for every cell that is wrong.

Vectorised by distinct value: each column is dictionary-encoded (Arrow, in C++), the distinct
texts are folded (NFKC: full-width digits, letters, spaces and punctuation to half-width;
trimmed) and read once each, and the results are taken back to the rows by index. A ledger
column of a million rows typically has a few hundred distinct dates or enum values; only the
row key and the ID number are near-unique, and those are handled as whole arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from xinfang.ingest import values as v
from xinfang.ingest.identity import Pseudonymiser, normalise_ids, pseudonymise
from xinfang.ingest.messages import ID_REASONS
from xinfang.ingest.sheet import column_name
from xinfang.schema import CATEGORIES, LINEAGE_COLUMNS, RISK_DOMAINS, Field, Ledger, raw_columns

#: Date fields that are deadlines: they may lie after the submission date.
DEADLINES = frozenset({"due_on"})

_ARROW_TYPES: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(),
    "DATE": pa.date32(),
    "BOOLEAN": pa.bool_(),
    "INTEGER": pa.int32(),
    "DECIMAL(18,2)": pa.decimal128(18, 2),
}


@dataclass(frozen=True)
class CellProblem:
    rule: str
    row: int  # Excel row
    field: str
    value: str | None  # as written in the file
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Normalised:
    rows: pa.Table  # source_row + the ledger's stored fields, typed as in raw.<kind>
    problems: list[CellProblem]  # by field, then row
    #: Per row, the first problem of its ID number (:data:`xinfang.idnumber.PROBLEMS`), null
    #: when valid or empty; None when the ledger or the file has no ID number column.
    id_problems: pa.Array | None = None


def row_schema(ledger: Ledger) -> pa.Schema:
    """``source_row`` and the stored fields, in ``raw.<kind>`` order and types."""
    stored = raw_columns(ledger)[len(LINEAGE_COLUMNS) :]
    return pa.schema([("source_row", pa.int32())] + [(n, _ARROW_TYPES[t]) for n, t in stored])


def fold(texts: pa.Array) -> pa.Array:
    """NFKC, trimmed; an empty text is null."""
    text = pc.utf8_trim_whitespace(pc.utf8_normalize(texts, "NFKC"))
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


@dataclass(frozen=True)
class _Column:
    """One file column as distinct texts (``dictionary``) and, per row, the index of its text
    (``len(dictionary)`` for an empty cell). A column of unique values (the row key) is kept
    as it is: its dictionary is the column itself."""

    index: np.ndarray
    dictionary: pa.Array
    plain: bool = False

    @classmethod
    def encode(cls, column: pa.ChunkedArray) -> _Column:
        encoded = pc.dictionary_encode(column.combine_chunks())
        dictionary = encoded.dictionary
        index = pc.fill_null(encoded.indices, len(dictionary)).to_numpy()
        return cls(index, dictionary)

    @classmethod
    def as_is(cls, column: pa.ChunkedArray) -> _Column:
        return cls(np.arange(len(column)), column.combine_chunks(), plain=True)

    def raw(self, i: int) -> str | None:
        """The text of value ``i`` as written in the file."""
        return self.dictionary[int(i)].as_py()

    def rows(self, per_value: pa.Array) -> pa.Array:
        """A per-distinct-value array taken to the rows (null for empty cells)."""
        if self.plain:
            return per_value
        return pa.concat_arrays([per_value, pa.nulls(1, per_value.type)]).take(self.index)


# A reader of one distinct folded text: (value, rule, template params) -- rule None when fine.
Reading = tuple[object, str | None, tuple[tuple[str, str], ...]]
Reader = Callable[[str], Reading]


def _date_reader(f: Field, received_on: date) -> Reader:
    limit = (("received_on", received_on.isoformat()),)

    def read(text: str) -> Reading:
        day = v.parse_date(text)
        if day is None:
            return None, "date.invalid", ()
        if f.name not in DEADLINES and day > received_on:
            return None, "date.future", limit
        return day, None, ()

    return read


def _bool(text: str) -> Reading:
    flag = v.parse_bool(text)
    return (flag, None, ()) if flag is not None else (None, "bool.invalid", ())


def _count(text: str) -> Reading:
    n = v.parse_count(text)
    return (n, None, ()) if n is not None and n >= 1 else (None, "persons.not_positive", ())


def _money(text: str) -> Reading:
    amount = v.parse_money(text)
    if amount is None:
        return None, "money.invalid", ()
    return (None, "money.negative", ()) if amount < Decimal(0) else (amount, None, ())


def _enum_reader(f: Field) -> Reader:
    allowed = (("allowed", "、".join(f.canonical_values)),)

    def read(text: str) -> Reading:
        value = f.values.get(text)
        return (value, None, ()) if value else (None, "enum.invalid", allowed)

    return read


def _category_reader(ledger: Ledger) -> Reader:
    valid = set(CATEGORIES) | (set(RISK_DOMAINS) if ledger.kind == "risks" else set())
    allowed = "一级分类应为规定的 19 类" + (
        "或房地产、征地拆迁、双拖欠、问题楼盘" if ledger.kind == "risks" else ""
    )
    params = (("allowed", allowed + "之一"),)

    def read(text: str) -> Reading:
        level = v.first_level(text)
        return (level, None, ()) if level in valid else (None, "category.invalid", params)

    return read


class _Normaliser:
    """The stored arrays and the problems found so far."""

    def __init__(self, source_rows: np.ndarray, received_on: date) -> None:
        self.source_rows = source_rows
        self.received_on = received_on
        self.out: dict[str, pa.Array] = {"source_row": pa.array(source_rows, pa.int32())}
        self.problems: list[CellProblem] = []
        self.id_problems: pa.Array | None = None

    def report(self, f: Field, col: _Column, rules: list, params: list) -> None:
        """A problem for every row whose distinct value has a rule."""
        per_value = np.array([r is not None for r in rules] + [False])
        for pos in np.flatnonzero(per_value[col.index]):
            i = col.index[pos]
            self.problems.append(
                CellProblem(rules[i], int(self.source_rows[pos]), f.name, col.raw(i), params[i])
            )

    def read(
        self, f: Field, col: _Column, texts: pa.Array, reader: Reader, arrow_type: pa.DataType
    ) -> pa.Array:
        """Read each distinct folded text once; report the problems; the values per row."""
        readings = [reader(t) if t is not None else (None, None, ()) for t in texts.to_pylist()]
        self.report(f, col, [r[1] for r in readings], [r[2] for r in readings])
        return col.rows(pa.array([r[0] for r in readings], arrow_type))

    def required(self, f: Field, col: _Column, texts: pa.Array) -> None:
        """``cell.required`` where a required field is empty (not where it was unreadable)."""
        empty = np.append(texts.is_null().to_numpy(zero_copy_only=False), True)[col.index]
        stored = self.out[f.column].is_null().to_numpy(zero_copy_only=False)
        for pos in np.flatnonzero(empty & stored):
            self.problems.append(
                CellProblem("cell.required", int(self.source_rows[pos]), f.name, None)
            )

    def duplicates(self, f: Field, keys: pa.Array, col: _Column) -> None:
        """``key.duplicate`` on every repeat of a key, naming the row where it first appears.

        By a stable sort (cheaper than hashing a million distinct keys): equal keys end up
        side by side, the first occurrence first."""
        if len(keys) < 2:
            return
        order = pc.array_sort_indices(keys, null_placement="at_end").to_numpy()
        ordered = keys.take(order)
        repeat = pc.equal(ordered.slice(1), ordered.slice(0, len(ordered) - 1))
        repeat = np.append(False, pc.fill_null(repeat, False).to_numpy(zero_copy_only=False))
        if not repeat.any():
            return
        run_start = np.maximum.accumulate(np.where(repeat, 0, np.arange(len(repeat))))
        for i in np.flatnonzero(repeat):
            pos, first = order[i], order[run_start[i]]
            self.problems.append(
                CellProblem(
                    "key.duplicate", int(self.source_rows[pos]), f.name,
                    col.raw(col.index[pos]), (("first_row", str(int(self.source_rows[first]))),),
                )
            )  # fmt: skip


def normalise(
    body: pa.Table,
    source_rows: np.ndarray,
    columns: dict[str, int],
    ledger: Ledger,
    *,
    received_on: date,
    pseudonymiser: Pseudonymiser,
) -> Normalised:
    """``body`` holds only data rows (``source_rows`` their Excel rows); ``columns`` maps the
    ledger's field names to the file's absolute column numbers."""
    schema = row_schema(ledger)
    work = _Normaliser(source_rows, received_on)
    empty = pa.nulls(body.num_rows, pa.string())
    for f in ledger.fields:
        if not f.stored or f.name not in columns:
            continue
        name = column_name(columns[f.name])
        # A header cell with no data below it at all (a CSV's rows may stop short of it).
        cells = body[name] if name in body.column_names else pa.chunked_array([empty])
        col = (_Column.as_is if f.name == ledger.key else _Column.encode)(cells)
        texts = normalise_ids(col.dictionary) if f.kind == "pii_id" else fold(col.dictionary)
        work.out[f.column] = _field(work, f, col, texts, ledger, pseudonymiser)
        if f.required:
            work.required(f, col, texts)
        if f.name == ledger.key:
            work.duplicates(f, work.out[f.column], col)
    rows = pa.Table.from_pydict(
        {c.name: work.out.get(c.name, pa.nulls(body.num_rows, c.type)) for c in schema},
        schema=schema,
    )
    return Normalised(rows, work.problems, work.id_problems)


def _field(
    work: _Normaliser,
    f: Field,
    col: _Column,
    texts: pa.Array,
    ledger: Ledger,
    pseudonymiser: Pseudonymiser,
) -> pa.Array:
    """The stored array of one field (and ``category_l1`` beside a category)."""
    if f.kind == "pii_id":
        keys, codes = pseudonymise(texts, work.received_on, pseudonymiser)
        rules = ["id.invalid" if c else None for c in codes]
        params = [(("reason", ID_REASONS[c]),) if c else () for c in codes]
        work.report(f, col, rules, params)
        work.id_problems = col.rows(pa.array(codes, pa.string()))
        return col.rows(keys)
    if f.kind == "category":
        work.out["category_l1"] = work.read(f, col, texts, _category_reader(ledger), pa.string())
    if f.kind in ("text", "category"):
        return col.rows(texts)
    if f.kind == "enum":
        return work.read(f, col, texts, _enum_reader(f), pa.string())
    if f.kind == "date":
        return work.read(f, col, texts, _date_reader(f, work.received_on), pa.date32())
    if f.kind == "int":
        return work.read(f, col, texts, _count, pa.int32())
    if f.kind == "money":
        return work.read(f, col, texts, _money, pa.decimal128(18, 2))
    stored = work.read(f, col, texts, _bool, pa.bool_())
    ticks = any(t in v.CHECK_MARKS for t in texts.to_pylist() if t is not None)
    return pc.fill_null(stored, False) if ticks else stored
