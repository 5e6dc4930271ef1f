"""The quality gate: validate a normalised ledger with the committed suites.

Two steps, so the parallel part never needs the warehouse:

- :func:`validate` (parse time, parallel, read-only): the ledger's row rules.
- :func:`compare` (promote time, serial): the ``submission`` suite against the unit's previous
  accepted submission (:func:`xinfang.quality.history.previous_submission`), which only the
  promote step knows for sure when one night brings several files of a unit.

Both return a :class:`~xinfang.quality.results.GateResult`; nothing is written anywhere.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, time
from typing import Any

import pandas as pd
import pyarrow as pa

from xinfang.idnumber import mask_pii
from xinfang.quality import engine
from xinfang.quality.frames import (
    PreviousSubmission,
    comparison_frame,
    snapshot,
    validation_frame,
)
from xinfang.quality.idcard import mask
from xinfang.quality.results import (
    CheckResult,
    GateResult,
    Message,
    Submission,
    ValidationRun,
)
from xinfang.quality.rules import EARLIEST_DATE, HOLD_BELOW_SHARE, REJECT_BELOW_SHARE
from xinfang.quality.suites import REGISTRATION_DATE, SUBMISSION_SUITE
from xinfang.schema import LEDGERS, Ledger

#: Row messages kept per failed check; the rest are summed up in one line.
MESSAGES_PER_CHECK = 200
SAMPLE_VALUES = 20
#: Vanished keys named in the clerk's message.
KEYS_LISTED = 50
#: Entries kept of each list in the GX result stored for Data Docs.
GX_LIST_CUT = 20

_TABLE_LEVEL = {"expect_column_to_exist", "expect_column_sum_to_be_between"}


def validate(
    frame: pd.DataFrame | pa.Table,
    submission: Submission,
    *,
    reported: Iterable[Message] = (),
) -> GateResult:
    """Check a normalised ledger frame against its ledger's suite; the frame is not modified.

    ``frame``: ``source_row``, the ledger's fields as in ``raw.<kind>`` and, for petitions, the
    raw ID number in ``id_number`` (checked here, never reported unmasked). ``reported``: the
    problems ingestion already told the clerk; a cell (row and header) named there gets no
    second message, though the check still fails and is recorded.
    """
    if isinstance(frame, pa.Table):
        frame = frame.to_pandas()
    ledger = LEDGERS[submission.ledger_kind]
    present = None if submission.headers is None else set(submission.headers)
    checked = validation_frame(frame, ledger, received_on=submission.received_on, present=present)
    # GX copies the whole frame for every expectation: keep only what the suite reads
    read = engine.runtime().columns(ledger.kind) | {"source_row"}
    checked = checked[[c for c in checked.columns if c in read]]
    parameters = {"received_on": datetime.combine(submission.received_on, time())}
    ids = frame["id_number"] if "id_number" in frame.columns else None
    told = {(m.source_row, m.column_header) for m in reported if m.source_row is not None}
    view = _View(submission, ledger, checked, ids=ids, reported=told)
    run = _run(engine.runtime().validate(ledger.kind, checked, parameters), view)
    return GateResult(submission, (run,), snapshot(frame, ledger))


def compare(result: GateResult, previous: PreviousSubmission | None) -> GateResult:
    """Add the checks against the previous accepted submission (``None``: there is none)."""
    ledger = LEDGERS[result.submission.ledger_kind]
    frame = comparison_frame(result.snapshot, previous)
    before = previous.row_count if previous else 0
    parameters = {
        "min_rows_hold": _ceil_share(before, HOLD_BELOW_SHARE),
        "min_rows_reject": _ceil_share(before, REJECT_BELOW_SHARE),
    }
    view = _View(
        result.submission, ledger, frame, previous=previous, current_rows=len(result.snapshot)
    )
    run = _run(engine.runtime().validate(SUBMISSION_SUITE, frame, parameters), view)
    kept = tuple(r for r in result.runs if r.suite_name != SUBMISSION_SUITE)
    return replace(result, runs=(*kept, run))


def _ceil_share(count: int, share: tuple[int, int]) -> int:
    """The fewest rows that are not more than ``1 - share`` fewer than ``count`` (integers)."""
    num, den = share
    return -(-count * num // den)


class _View:
    """How the clerk sees a validated frame: headers as written, values as typed, IDs masked."""

    def __init__(
        self,
        submission: Submission,
        ledger: Ledger,
        frame: pd.DataFrame,
        *,
        ids: pd.Series | None = None,
        previous: PreviousSubmission | None = None,
        current_rows: int = 0,
        reported: set[tuple[int | None, str | None]] | None = None,
    ) -> None:
        self.submission = submission
        self.ledger = ledger
        self.frame = frame.reset_index(drop=True)
        self.ids = None if ids is None else ids.reset_index(drop=True)
        self.previous = previous
        self.current_rows = current_rows
        self.reported = reported or set()
        self.prefix = f"{submission.unit_name} {submission.file_name}"

    def field_name(self, column: str) -> str:
        if column == "key":
            return self.ledger.key
        if column in ("registration_date", "previous_registration_date"):
            return REGISTRATION_DATE[self.ledger.kind]
        return column

    def header(self, column: str | None) -> str:
        if column is None:
            return ""
        name = self.field_name(column)
        written = (self.submission.headers or {}).get(name)
        return written or self.ledger.field(name).header

    def positions(self, source_rows: Sequence[int]) -> list[int]:
        rows = self.frame["source_row"].dropna().astype("int64")
        lookup = pd.Series(rows.index, index=rows.to_numpy())
        lookup = lookup[~lookup.index.duplicated()]
        return [int(p) for p in lookup.reindex(list(source_rows)).to_numpy()]

    def value(self, column: str | None, pos: int) -> str:
        if column is None:
            return ""
        if self.ledger.field(self.field_name(column)).kind == "pii_id":
            return (mask(self.ids.iat[pos]) if self.ids is not None else None) or ""
        return mask_pii(display(self.frame[column].iat[pos]))


def display(value: Any) -> str:
    """A value as the clerk would type it: dates ``YYYY-MM-DD``, whole numbers without ``.0``."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float):
        return "" if value != value else (str(int(value)) if value.is_integer() else f"{value:g}")
    if isinstance(value, pd.Timestamp | datetime):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _run(gx: engine.GxRun, view: _View) -> ValidationRun:
    checks = tuple(_check(r, view) for r in gx.result.results)
    run_id = str(uuid.uuid4())
    return ValidationRun(
        run_id=run_id,
        suite_name=gx.suite_name,
        suite_sha256=gx.suite_sha256,
        gx_version=gx.gx_version,
        started_at=gx.started_at,
        finished_at=gx.finished_at,
        checks=checks,
        gx_result=_docs_result(gx, view, run_id),
    )


def _check(r: Any, view: _View) -> CheckResult:
    config = r.expectation_config
    meta = config.meta
    kwargs = config.to_json_dict()["kwargs"]
    needed = [kwargs.get(k) for k in ("column", "column_A", "column_B")]
    condition = kwargs.get("row_condition") or {}
    needed.append((condition.get("column") or {}).get("name"))
    missing = [
        c
        for c in needed
        if c and c not in view.frame.columns and config.type != "expect_column_to_exist"
    ]
    raised = _exception(r)
    result = r.result or {}
    rows = [
        int(i["source_row"])
        for i in result.get("unexpected_index_list") or []
        if pd.notna(i.get("source_row"))
    ]
    check = CheckResult(
        expectation_id=str(config.id),
        expectation_type=config.type,
        rule=meta["rule"],
        severity=meta["severity"],
        hold=bool(meta.get("hold")),
        column=kwargs.get("column") or kwargs.get("column_A"),
        kwargs=kwargs,
        success=bool(r.success),
        evaluated=not (missing or raised),
        unexpected_count=int(result.get("unexpected_count") or 0),
        sample_values=(),
        source_rows=tuple(rows),
        messages=(),
        exception=None if missing else raised,
    )
    if check.success or missing:
        return check
    if raised:
        text = f"{view.prefix} 质量检查“{check.rule}”未能执行，请联系市信访局"
        message = Message(check.severity, check.rule, None, None, None, text)
        return replace(check, messages=(message,))
    return _explain(check, meta, result, view)


def _exception(r: Any) -> str | None:
    """What GX raised evaluating an expectation (its metrics' errors), if anything."""
    info = r.exception_info or {}
    infos = [info] if "raised_exception" in info else [i for i in info.values() if i]
    texts = [str(i.get("exception_message")) for i in infos if i.get("raised_exception")]
    return "; ".join(texts) or None


def _explain(
    check: CheckResult, meta: dict[str, Any], result: dict[str, Any], view: _View
) -> CheckResult:
    """Attach the clerk's messages and the masked sample values to a failed check."""
    subject, other = meta.get("subject"), meta.get("other")
    base = {
        "header": view.header(subject),
        "other_header": view.header(other),
        "allowed": "、".join(map(str, check.kwargs.get("value_set") or [])),
        "received_on": f"{view.submission.received_on:%Y-%m-%d}",
        "earliest": EARLIEST_DATE,
        "key_header": view.header("key"),
    }
    if check.rule == "column.missing":
        base["aliases"] = "、".join(view.ledger.field(subject).headers)
    if check.expectation_type in _TABLE_LEVEL or check.rule == "submission.keys_vanished":
        fields = base | _submission_fields(check, result, view)
        message = _message(check, meta, view.prefix, None, fields)
        return replace(check, messages=(message,), sample_values=tuple(fields.get("sample", ())))
    positions = view.positions(check.source_rows)
    values = [view.value(subject, p) for p in positions]
    header = base["header"] or None
    new = [
        (row, pos, value)
        for row, pos, value in zip(check.source_rows, positions, values, strict=True)
        if (row, header) not in view.reported
    ]
    shown = new[:MESSAGES_PER_CHECK]
    duplicates = (
        _duplicate_rows(view, [p for _, p, _ in shown]) if check.rule == "key.unique" else {}
    )
    messages = []
    for row, pos, value in shown:
        fields = base | {
            "value": value,
            "other_value": view.value(other, pos),
            "key": view.value("key", pos) if "key" in view.frame.columns else "",
            "other_rows": "、".join(str(r) for r in duplicates.get(pos, ()) if r != row),
        }
        messages.append(_message(check, meta, f"{view.prefix} 第 {row} 行", row, fields, value))
    if len(new) > len(shown):
        rest = [row for row, _, _ in new[len(shown) :]]
        messages.append(
            Message(
                check.severity,
                check.rule,
                None,
                header,
                None,
                f"{view.prefix}「{base['header']}」另有 {len(rest)} 行存在同样问题"
                f"（第 {_row_ranges(rest)} 行）",
            )
        )
    samples = tuple(dict.fromkeys(v for v in values if v))[:SAMPLE_VALUES]
    return replace(check, messages=tuple(messages), sample_values=samples)


def _message(
    check: CheckResult,
    meta: dict[str, Any],
    prefix: str,
    row: int | None,
    fields: dict[str, Any],
    value: str | None = None,
) -> Message:
    # an empty value leaves a stray space after the header's closing bracket
    text = meta["message_zh"].format(**fields).replace("」 ", "」")
    return Message(
        severity=check.severity,
        rule=check.rule,
        source_row=row,
        column_header=fields["header"] or None,
        value=value if value is not None else fields.get("keys") or None,
        message=f"{prefix}{text}" if row is not None else f"{prefix} {text}",
    )


def _submission_fields(check: CheckResult, result: dict[str, Any], view: _View) -> dict:
    previous = view.previous
    fields: dict[str, Any] = {
        "count": view.current_rows,
        "previous_count": previous.row_count if previous else 0,
        "previous_date": f"{previous.received_at:%Y-%m-%d}" if previous else "",
        "drop_pct": "",
        "keys": "",
    }
    if previous and previous.row_count:
        drop = 100 * (previous.row_count - view.current_rows) / previous.row_count
        fields["drop_pct"] = f"{drop:.1f}"
    if check.rule == "submission.keys_vanished":
        keys = [mask_pii(str(k)) for k in result.get("unexpected_list") or []]
        listed = "、".join(keys[:KEYS_LISTED]) + (" 等" if len(keys) > KEYS_LISTED else "")
        fields |= {"count": len(keys), "keys": listed, "sample": keys[:SAMPLE_VALUES]}
    return fields


def _duplicate_rows(view: _View, positions: Iterable[int]) -> dict[int, list[int]]:
    key = view.ledger.key
    wanted = list(positions)
    keys = view.frame[key]
    same = view.frame.loc[keys.isin(keys.iloc[wanted]), ["source_row", key]]
    groups = same.groupby(key)["source_row"].apply(list)
    return {p: groups[keys.iat[p]] for p in wanted}


def _row_ranges(rows: Sequence[int]) -> str:
    """``3、5—9、12`` for rows 3, 5, 6, 7, 8, 9, 12."""
    parts: list[str] = []
    ordered = sorted(set(rows))
    start = prev = ordered[0]
    for r in [*ordered[1:], None]:
        if r is not None and r == prev + 1:
            prev = r
            continue
        parts.append(str(start) if start == prev else f"{start}—{prev}")
        if r is not None:
            start = prev = r
    return "、".join(parts)


def _masked(value: Any) -> Any:
    """``value`` with every text in it (in lists and dicts too) through :func:`mask_pii`."""
    if isinstance(value, str):
        return mask_pii(value)
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    return value


def _docs_result(gx: engine.GxRun, view: _View, run_id: str) -> dict[str, Any]:
    """GX's result as JSON for Data Docs: long lists cut, named for the bureau that sent it.

    Cuts the lists in GX's result itself (read by then) before serialising it: cheaper.
    """
    for r in gx.result.results:
        res = r.result or {}
        res.pop("unexpected_index_query", None)
        for k, v in res.items():
            if isinstance(v, list):
                res[k] = _masked(v[:GX_LIST_CUT])
    data = gx.result.to_json_dict()
    s = view.submission
    data["meta"]["run_id"] = {
        "run_name": f"{s.unit_name}_{s.received_on:%Y-%m-%d}_{s.submission_id}",
        "run_time": gx.started_at.isoformat(),
    }
    data["meta"]["xinfang"] = {
        "run_id": run_id,
        "submission_id": s.submission_id,
        "unit_code": s.unit_code,
        "unit_name": s.unit_name,
        "file_name": s.file_name,
        "sha256": s.sha256,
        "received_at": s.received_at.isoformat(),
        "suite_sha256": gx.suite_sha256,
    }
    return data
