"""The manifest: what was written, what ingestion must make of it, and the truth tables.

``manifest.json`` lists every file with its expected outcome; ``truth_<kind>.parquet`` holds one
row per data row of every good file with the values ingestion must load. Both live outside the
inbox and contain no absolute paths, so the same seed gives the same bytes anywhere.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from xinfang.schema import LEDGERS
from xinfang.synth.frame import Frame

MANIFEST_FILE = "manifest.json"
_ARROW: dict[str, pa.DataType] = {
    "date": pa.date32(), "int": pa.int32(), "bool": pa.bool_(), "money": pa.decimal128(18, 2),
}  # fmt: skip


@dataclass(frozen=True)
class Problem:
    """A cell a clerk must hear about: Excel row, header as written, value, and the rule."""

    row: int | None
    column: str | None
    value: str | None
    rule: str


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative to the inbox, "/"-separated: "<unit_code>/<file name>"
    unit_code: str  # the folder name
    ledger: str | None  # petitions | risks | backlog, as the content says; None: no ledger
    format: str  # xlsx | xls | csv (by the name's extension)
    encoding: str | None  # csv: utf-8 | utf-8-sig | gb18030
    snapshot_date: date  # the as-of date of the ledger (the night before arrival)
    mtime: datetime  # arrival, Asia/Shanghai
    size_bytes: int
    sha256: str
    rows: int  # data rows in the file
    expected: str  # accepted | rejected
    bad_kind: str | None = None
    fault: Problem | None = None  # the offending cell of a bad file, when there is one
    warnings: tuple[Problem, ...] = ()  # warning-level cells of a good file
    quirks: tuple[str, ...] = ()
    sheet: str | None = None  # the ledger's sheet (Excel formats)
    header_row: int | None = None  # Excel row number of the header
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["snapshot_date"] = self.snapshot_date.isoformat()
        out["mtime"] = self.mtime.isoformat()
        out["warnings"] = [asdict(w) for w in self.warnings]
        out["quirks"] = list(self.quirks)
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> FileEntry:
        return cls(**d | {
            "snapshot_date": date.fromisoformat(d["snapshot_date"]),
            "mtime": datetime.fromisoformat(d["mtime"]),
            "fault": Problem(**d["fault"]) if d["fault"] else None,
            "warnings": tuple(Problem(**w) for w in d["warnings"]),
            "quirks": tuple(d["quirks"]),
        })  # fmt: skip


@dataclass
class Manifest:
    directory: Path
    seed: int
    parameters: dict[str, Any]
    units: list[dict[str, str]]
    files: list[FileEntry] = field(default_factory=list)
    truth_rows: dict[str, int] = field(default_factory=dict)

    @property
    def good(self) -> list[FileEntry]:
        return [f for f in self.files if f.expected == "accepted"]

    @property
    def bad(self) -> list[FileEntry]:
        return [f for f in self.files if f.expected == "rejected"]

    def truth(self, kind: str) -> pd.DataFrame:
        return pd.read_parquet(self.directory / f"truth_{kind}.parquet")

    def to_json(self) -> dict[str, Any]:
        return {
            "generator": "xinfang.synth", "format_version": 1, "seed": self.seed,
            "parameters": self.parameters, "units": self.units, "truth_rows": self.truth_rows,
            "files": [f.to_json() for f in self.files],
        }  # fmt: skip

    def write(self) -> Path:
        path = self.directory / MANIFEST_FILE
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n", "utf-8")
        return path

    @classmethod
    def load(cls, directory: Path) -> Manifest:
        d = json.loads((directory / MANIFEST_FILE).read_text("utf-8"))
        return cls(
            directory,
            d["seed"],
            d["parameters"],
            d["units"],
            [FileEntry.from_json(f) for f in d["files"]],
            d["truth_rows"],
        )


def truth_columns(kind: str) -> list[tuple[str, pa.DataType]]:
    """Lineage, then every field (the PII as written), ``category_l1`` after ``category``."""
    cols = [
        ("file", pa.string()),
        ("unit_code", pa.string()),
        ("snapshot_date", pa.date32()),
        ("source_row", pa.int32()),
    ]
    for f in LEDGERS[kind].fields:
        cols.append((f.name, _ARROW.get(f.kind, pa.string())))
        if f.kind == "category":
            cols.append(("category_l1", pa.string()))
    if kind == "petitions":
        cols.append(("id_valid", pa.bool_()))  # None: no ID number written
    return cols


def _arrow(values: np.ndarray, dtype: pa.DataType) -> pa.Array:
    if dtype == pa.bool_():
        return pa.array(values == 1, mask=values == -1, type=dtype)
    if dtype == pa.int32():
        return pa.array(values, mask=values == 0, type=dtype)
    if isinstance(dtype, pa.Decimal128Type):
        return pa.array(values, mask=np.isnan(values), type=pa.float64()).cast(dtype)
    return pa.array(values, type=dtype, from_pandas=True)


def truth_table(kind: str, entry: FileEntry, source_rows: np.ndarray, truth: Frame) -> pa.Table:
    n = len(source_rows)
    lineage = {
        "file": pa.repeat(pa.scalar(entry.path), n),
        "unit_code": pa.repeat(pa.scalar(entry.unit_code), n),
        "snapshot_date": pa.repeat(pa.scalar(entry.snapshot_date, pa.date32()), n),
        "source_row": pa.array(source_rows, type=pa.int32()),
    }
    cols = truth_columns(kind)
    arrays = [lineage[name] if name in lineage else _arrow(truth[name], t) for name, t in cols]
    return pa.Table.from_arrays(arrays, schema=pa.schema(cols))


def write_truth(directory: Path, kind: str, tables: list[pa.Table]) -> int:
    schema = pa.schema(truth_columns(kind))
    table = pa.concat_tables(tables) if tables else schema.empty_table()
    pq.write_table(table, directory / f"truth_{kind}.parquet", compression="zstd")
    return table.num_rows
