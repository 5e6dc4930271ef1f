"""``.csv`` ledgers: UTF-8 (with or without BOM) or GB18030/GBK, decoded in Python.

The encoding is told from the file's start (GBK text is not valid UTF-8); a GB18030 file is
transcoded to UTF-8 whole. The rows above and including the header are read with the ``csv``
module (title rows are often shorter than the table); the body below the header with
pyarrow's CSV reader straight from the UTF-8 bytes (which it validates). Excel shows one CSV
record per row, so record ``n`` is Excel row ``n``: empty lines are kept as rows. A ragged body
(rows of different widths) is read with the ``csv`` module instead.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.csv as pacsv

from xinfang.ingest.sheet import HEADER_SCAN_ROWS, Row, column_name

_BOM = codecs.BOM_UTF8
#: The header is looked for within this many bytes from the start.
_TOP_BYTES = 1 << 20
_TEXT = re.compile(rb"[^\r\n]")
#: pyarrow's error on a row of another width: ``CSV parse error: Expected 3 columns, got 1``.
_RAGGED = "columns, got"


class UndecodableError(ValueError):
    """Neither UTF-8 nor GB18030 (or UTF-8 that breaks off further down)."""


class BinaryError(ValueError):
    """NUL bytes: not a text file at all."""


def _utf8_start(data: bytes) -> str | None:
    """The decoded start of ``data`` if it is UTF-8 (a character cut at the end is fine)."""
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(data[:_TOP_BYTES], final=False)
    except UnicodeDecodeError:
        return None


def to_utf8(data: bytes) -> tuple[bytes, str]:
    """(UTF-8 bytes without BOM, the file's encoding: utf-8-sig, utf-8 or gb18030)."""
    if b"\x00" in data:
        raise BinaryError
    if data.startswith(_BOM):
        return data[len(_BOM) :], "utf-8-sig"
    if _utf8_start(data) is not None:
        return data, "utf-8"
    try:
        return data.decode("gb18030").encode("utf-8"), "gb18030"
    except UnicodeDecodeError as exc:
        raise UndecodableError from exc


@dataclass
class CsvSheet:
    """The CSV as one sheet: UTF-8 bytes, the top records and the byte offset after each."""

    data: bytes
    name: str = "csv"
    _top: list[list[str]] = field(default_factory=list)
    _ends: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        start = _utf8_start(self.data)
        if start is None:
            raise UndecodableError
        consumed, limit = 0, len(start.encode("utf-8"))

        def lines() -> Iterator[str]:
            nonlocal consumed
            for line in io.StringIO(start, newline=""):
                consumed += len(line.encode("utf-8"))
                yield line

        complete = len(self.data) <= _TOP_BYTES
        for record in csv.reader(lines()):
            if not complete and consumed >= limit:
                break  # possibly cut off at the end of the prefix
            self._top.append(record)
            self._ends.append(consumed)
            if len(self._top) == HEADER_SCAN_ROWS:
                break

    @property
    def top(self) -> list[Row]:
        return [{i: v for i, v in enumerate(rec) if v.strip()} for rec in self._top]

    def body(self, header_index: int) -> pa.Table:
        start = self._ends[header_index]
        if not _TEXT.search(self.data, start):
            return pa.table({})
        body = pa.py_buffer(self.data)[start:]  # no copy
        try:
            quoted = self.data.find(b'"', start) >= 0
            fast = _read_fast(body, len(self._top[header_index]), quoted)
        except pa.ArrowInvalid as exc:
            if "UTF8" in str(exc):
                raise UndecodableError from exc
            raise
        return fast if fast is not None else _read_exact(body.to_pybytes())


def _read_fast(data: pa.Buffer, width: int, quoted: bool) -> pa.Table | None:
    """pyarrow's reader, for a body as wide as its header row (as Excel writes CSV); None when
    a row's width differs (pyarrow stops there, and cannot say which row that is; an
    ``invalid_row_handler`` would be given the row as text, which fails on a cut character).
    Only a body with quotes can have line breaks inside a value (and costs a slower parse)."""
    names = [column_name(i) for i in range(width)]
    try:
        return pacsv.read_csv(
            data,
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(newlines_in_values=quoted, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=True
            ),
        )
    except pa.ArrowInvalid as exc:
        if _RAGGED in str(exc):
            return None
        raise


def _read_exact(data: bytes) -> pa.Table:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UndecodableError from exc
    records = list(csv.reader(io.StringIO(text, newline="")))
    width = max(map(len, records), default=0)
    columns = {
        column_name(i): pa.array(
            [rec[i] if i < len(rec) and rec[i] != "" else None for rec in records], pa.string()
        )
        for i in range(width)
    }
    return pa.table(columns)


def read_csv(data: bytes) -> tuple[CsvSheet, str]:
    """The CSV as a sheet, and its encoding."""
    utf8, encoding = to_utf8(data)
    return CsvSheet(utf8), encoding
