"""One candidate file -> one :class:`ParsedSubmission`: guard, archive, read, normalise.

Pure with respect to the warehouse (never opened here), so any number of these may run in
parallel processes. Its only side effects: the file's bytes in the archive, and the
normalised rows of an accepted file as Parquet in ``<archive>/_staging/<submission_id>/``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import zipfile
import zlib
from collections.abc import Iterable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import asdict, replace
from typing import NamedTuple

import pyarrow as pa

from xinfang.config import Settings, pii_key
from xinfang.ingest import containers, formulas
from xinfang.ingest.archive import archive_path, stage_rows, store
from xinfang.ingest.delimited import BinaryError, UndecodableError, read_csv
from xinfang.ingest.excel import Unreadable, excel_sheets
from xinfang.ingest.guard import Refusal, archivable, refuse_entry
from xinfang.ingest.header import HeaderIncomplete, HeaderMatch, find_header
from xinfang.ingest.identity import Pseudonymiser
from xinfang.ingest.limits import Limits
from xinfang.ingest.messages import Message, Problems
from xinfang.ingest.normalise import CellProblem, Normalised, normalise
from xinfang.ingest.rows import data_rows
from xinfang.ingest.sheet import HEADER_SCAN_ROWS, Sheet
from xinfang.ingest.submission import Candidate, ParsedSubmission
from xinfang.reference import units

log = logging.getLogger(__name__)

_UNREADABLE = (
    Unreadable, BinaryError, zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError,
)  # fmt: skip


class ChangedFileError(RuntimeError):
    """The file changed since it was discovered: it is picked up again next time."""


def read_bytes(candidate: Candidate) -> bytes:
    """The file's bytes, never through a symlink, as hashed at discovery."""
    fd = os.open(candidate.path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as fh:
        data = fh.read()
    if hashlib.sha256(data).hexdigest() != candidate.sha256:
        raise ChangedFileError(f"{candidate.path} changed since it was discovered")
    return data


def _sheets(data: bytes, file_format: str) -> tuple[Iterable[Sheet], str | None]:
    """The file's sheets (lazily for a workbook) and, for a CSV, its encoding."""
    if file_format == "csv":
        sheet, encoding = read_csv(data)
        return [sheet], encoding
    return excel_sheets(data), None


def _locate(sheets: Iterable[Sheet]) -> tuple[Sheet, HeaderMatch] | HeaderIncomplete | None:
    """The first sheet with a recognisable header; else the first near miss, if any."""
    near = None
    for sheet in sheets:
        found = find_header(sheet.top)
        if isinstance(found, HeaderMatch):
            return sheet, found
        near = near or found
    return near


def _formula_cells(data: bytes, file_format: str) -> dict[str, formulas.Cells]:
    """Formula cells by sheet name (none in a CSV)."""
    if file_format == "xlsx":
        return formulas.xlsx_formula_cells(data)
    if file_format == "xls":
        return formulas.xls_formula_cells(data)
    return {}


def parse(
    candidate: Candidate, settings: Settings, limits: Limits | None = None
) -> ParsedSubmission:
    """Everything about one file short of loading it (see :func:`promote`)."""
    limits = limits or Limits.from_env()
    unit = units().get(candidate.unit_code)
    problems = Problems(unit.name if unit else candidate.unit_code, candidate.file_name)
    base = ParsedSubmission(
        submission_id=candidate.submission_id,
        unit_code=candidate.unit_code,
        file_name=candidate.file_name,
        sha256=candidate.sha256,
        size_bytes=candidate.size_bytes,
        received_at=candidate.received_at,
        archive_path="",
    )
    refusal = refuse_entry(candidate, settings.inbox, limits)
    if not archivable(candidate, settings.inbox, limits):  # never read: refused for sure
        return _refused(base, problems, refusal)
    data = read_bytes(candidate)
    relative = archive_path(candidate.unit_code, candidate.sha256, candidate.file_name)
    # The archive is written, and a workbook's formulas looked for, while the file is read.
    with ThreadPoolExecutor(2) as background:
        archived = background.submit(store, data, settings.archive, relative)
        parsed = _interpret(base, problems, data, refusal, limits, settings, background)
        archived.result()
    return replace(parsed, archive_path=str(relative))


def _refused(base: ParsedSubmission, problems: Problems, refusal: Refusal) -> ParsedSubmission:
    problems.file_problem(refusal.rule, **refusal.fields)
    return base.with_messages(problems.messages)


def _interpret(
    base: ParsedSubmission,
    problems: Problems,
    data: bytes,
    refusal: Refusal | None,
    limits: Limits,
    settings: Settings,
    background: Executor,
) -> ParsedSubmission:
    """Refuse, or recognise and read, the file's bytes."""
    file_format = containers.sniff(data, base.file_name, limits) if not refusal else None
    if refusal or isinstance(file_format, Refusal):
        return _refused(base, problems, refusal or file_format)
    base = replace(base, file_format=file_format)
    pending = background.submit(_formula_cells, data, file_format)
    try:
        sheets, encoding = _sheets(data, file_format)
        located = _locate(sheets)
        if isinstance(located, tuple):
            sheet, found = located
            body = sheet.body(found.row_index)
            formula_cells = pending.result().get(sheet.name, set())
    except UndecodableError:
        problems.file_problem("csv.encoding")
        return base.with_messages(problems.messages)
    except _UNREADABLE:
        log.info("%s: unreadable", base.file_name, exc_info=True)
        problems.file_problem("file.unreadable")
        return base.with_messages(problems.messages)
    base = replace(base, encoding=encoding)
    if located is None:
        problems.file_problem("header.not_found", scan_rows=HEADER_SCAN_ROWS)
    elif isinstance(located, HeaderIncomplete):
        for f in located.missing:
            problems.file_problem("header.missing", ledger=located.ledger.title, header=f.header)
    else:
        return _read_rows(base, problems, body, found, formula_cells, settings)
    return base.with_messages(problems.messages)


def _read_rows(
    base: ParsedSubmission,
    problems: Problems,
    body: pa.Table,
    found: HeaderMatch,
    formula_cells: formulas.Cells,
    settings: Settings,
) -> ParsedSubmission:
    """Rows below the header: data rows only, normalised, checked (then by the quality gate);
    staged unless rejected."""
    ledger = found.ledger
    columns = {name: c.index for name, c in found.columns.items()}
    body, source_rows = data_rows(body, found.row_index + 2, list(columns.values()))
    normalised = normalise(
        body,
        source_rows,
        columns,
        ledger,
        received_on=base.received_at.date(),
        pseudonymiser=Pseudonymiser(pii_key()),
    )
    # Formulas count in the cells read only (a 合计 row's sums are dropped with the row);
    # a formula cell's problem is the formula, whatever its cached value.
    rows = set(source_rows.tolist())
    stored = {c: name for name, c in columns.items() if ledger.field(name).stored}
    formula_fields = {
        (row, stored[col]) for row, col in formula_cells if row in rows and col in stored
    }
    found_problems = [
        *(CellProblem("cell.formula", row, name, None) for row, name in formula_fields),
        *(p for p in normalised.problems if (p.row, p.field) not in formula_fields),
    ]
    order = {f.name: i for i, f in enumerate(ledger.fields)}
    personal = {f.name for f in ledger.fields if f.kind == "pii_id"}
    for p in sorted(found_problems, key=lambda p: (p.row, order[p.field], p.rule)):
        problems.cell_problem(
            p.rule, p.row, found.columns[p.field].header, p.value,
            personal=p.field in personal, **dict(p.params),
        )  # fmt: skip
    if not len(source_rows):
        problems.file_problem("file.no_rows")
    parsed = replace(
        base,
        ledger_kind=ledger.kind,
        row_count=len(source_rows),
        is_sample=found.is_sample,
        columns={name: c.header for name, c in found.columns.items()},
    ).with_messages(problems.messages)
    told = [(p.row, found.columns[p.field].header) for p in found_problems]
    # a repeated key's first row too: the gate names every row of a repeated key
    told += [
        (int(dict(p.params)["first_row"]), found.columns[p.field].header)
        for p in found_problems
        if p.rule == "key.duplicate"
    ]
    parsed = _gate(parsed, normalised, told)
    if parsed.outcome == "rejected":
        return parsed
    rows_path = stage_rows(settings, parsed.submission_id, normalised.rows)
    return replace(parsed, rows_path=str(rows_path))


class _Told(NamedTuple):
    """A cell ingestion has told the clerk about (listed, or counted in a summary line)."""

    source_row: int | None
    column_header: str | None


def _gate(
    parsed: ParsedSubmission, normalised: Normalised, told: list[tuple[int, str]]
) -> ParsedSubmission:
    """The quality gate's row rules on the normalised rows; its messages added, except on the
    cells in ``told`` (the check still fails and is recorded).

    The gate gets ingestion's ID problem codes, never the raw numbers (gone by now). Its result
    is kept as JSON (as it travels to promote).
    """
    from xinfang import quality
    from xinfang.quality.suites import ID_PROBLEM_COLUMN

    rows = normalised.rows
    if normalised.id_problems is not None:
        rows = rows.append_column(ID_PROBLEM_COLUMN, normalised.id_problems)
    submission = quality.Submission(
        parsed.submission_id, parsed.unit_code, parsed.ledger_kind or "", parsed.sha256,
        parsed.file_name, parsed.received_at, headers=parsed.columns,
    )  # fmt: skip
    reported = [*parsed.messages, *(_Told(*cell) for cell in told)]
    gate = quality.validate(rows, submission, reported=reported)
    return replace(
        parsed.with_messages([Message(**asdict(m)) for m in gate.messages]),
        gate=json.loads(json.dumps(gate.to_dict(), ensure_ascii=False)),
        gate_outcome=gate.outcome,
    )
