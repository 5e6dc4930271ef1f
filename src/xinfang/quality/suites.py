"""The expectation suites, generated from the ledger contract (``xinfang.schema``).

One suite per ledger (``petitions``, ``risks``, ``backlog``) holds the row rules of
``ledgers.md``; the ``submission`` suite compares a submission with the unit's previous accepted
one. They are committed as GX 1.x suite files in the file data context ``expectations/``
(``expectations/expectations/<suite>.json``), written by ``python -m xinfang.quality.suites``;
a test keeps the files equal to what this module generates. At run time the gate reads the
files, not this module, and records each file's SHA-256 with every validation run.

Building the definitions needs no GX import: they are plain JSON-able dicts in GX's format.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

from xinfang.config import PROJECT_ROOT
from xinfang.quality.rules import EARLIEST_DATE, RULES
from xinfang.schema import CATEGORIES, LEDGERS, RISK_DOMAINS, Field, Ledger

#: The GX file data context (its root holds ``great_expectations.yml``).
CONTEXT_DIR = PROJECT_ROOT / "expectations"
SUITES_DIR = CONTEXT_DIR / "expectations"
SUBMISSION_SUITE = "submission"
SUITE_NAMES: tuple[str, ...] = (*LEDGERS, SUBMISSION_SUITE)
_ID_NAMESPACE = uuid.UUID("6f0e3c4a-5d0b-4b7e-9f63-2a1c1f0d7e11")

#: The date that places a row in time: a change to it between submissions moves figures.
REGISTRATION_DATE = {"petitions": "registered_on", "risks": "found_on", "backlog": "listed_on"}
#: (later, earlier): the first date may not be before the second.
DATE_ORDER: dict[str, tuple[tuple[str, str], ...]] = {
    "petitions": (
        ("accepted_on", "registered_on"),
        ("concluded_on", "accepted_on"),
        ("concluded_on", "registered_on"),
    ),
    "risks": (("due_on", "found_on"), ("resolved_on", "found_on")),
    "backlog": (("listed_on", "first_petitioned_on"), ("resolved_on", "listed_on")),
}
#: Statuses that need a 化解日期, and that a 化解日期 needs.
CLOSED_STATUSES = {"risks": ("已化解",), "backlog": ("已化解", "已终结")}
#: Deadlines lie in the future; every other date is an event that cannot follow the submission.
DEADLINES = frozenset({"due_on"})
#: Derived columns the gate adds before validating (see :mod:`xinfang.quality.frames`).
ID_PROBLEM_COLUMN = "id_number_problem"
CATEGORY_COLUMN = "category_l1"


def _datetime(day: str) -> str:
    # GX parses a bare ISO date into a ``date``, which pandas will not compare with datetimes.
    return f"{day}T00:00:00"


def _expect(
    kind: str, rule: str, /, *, subject: str | None, other: str | None = None, **kwargs: Any
) -> dict[str, Any]:
    r = RULES[rule]
    columns = {"subject": subject} if subject else {}
    if other:
        columns["other"] = other
    return {
        "type": kind,
        "kwargs": kwargs,
        "meta": r.meta(**columns),
        "severity": "critical" if r.severity == "error" else "warning",
    }


def _nullity(column: str, *, is_null: bool) -> dict[str, Any]:
    return {"type": "nullity", "column": {"name": column}, "is_null": is_null}


def _is_in(column: str, values: tuple[str, ...]) -> dict[str, Any]:
    return {
        "type": "comparison",
        "column": {"name": column},
        "operator": "IN",
        "parameter": list(values),
    }


def allowed_categories(ledger: Ledger) -> tuple[str, ...]:
    return CATEGORIES + RISK_DOMAINS if ledger.kind == "risks" else CATEGORIES


def _field_expectations(ledger: Ledger, f: Field) -> list[dict[str, Any]]:
    c = f.column if f.kind != "pii_id" else f.name
    out = []
    if f.kind == "enum":
        out.append(
            _expect(
                "expect_column_values_to_be_in_set",
                "enum.domain",
                subject=f.name,
                column=c,
                value_set=list(f.canonical_values),
            )
        )
    elif f.kind == "date":
        if f.name not in DEADLINES:
            out.append(
                _expect(
                    "expect_column_values_to_be_between",
                    "date.after_submission",
                    subject=f.name,
                    column=c,
                    max_value={"$PARAMETER": "received_on"},
                )
            )
        out.append(
            _expect(
                "expect_column_values_to_be_between",
                "date.too_early",
                subject=f.name,
                column=c,
                min_value=_datetime(EARLIEST_DATE),
            )
        )
    elif f.kind == "int" and f.name == "persons":
        out.append(
            _expect(
                "expect_column_values_to_be_between",
                "persons.min",
                subject=f.name,
                column=c,
                min_value=1,
            )
        )
    elif f.kind == "money":
        out.append(
            _expect(
                "expect_column_values_to_be_between",
                "money.min",
                subject=f.name,
                column=c,
                min_value=0,
            )
        )
    elif f.kind == "category":
        out.append(
            _expect(
                "expect_column_values_to_be_in_set",
                "category.unknown",
                subject=f.name,
                column=CATEGORY_COLUMN,
                value_set=list(allowed_categories(ledger)),
            )
        )
    elif f.kind == "pii_id":
        out += [
            _expect(
                "expect_column_values_to_not_be_in_set",
                f"id.{problem}",
                subject=f.name,
                column=ID_PROBLEM_COLUMN,
                value_set=[problem],
            )
            for problem in ("format", "province", "birth_date", "check_digit")
        ]
    return out


def ledger_suite(ledger: Ledger) -> dict[str, Any]:
    """The row rules of one ledger, in the order a clerk would fix them."""
    exps = [
        _expect("expect_column_to_exist", "column.missing", subject=f.name, column=f.column)
        for f in ledger.required
    ]
    exps += [
        _expect(
            "expect_column_values_to_not_be_null", "value.required", subject=f.name, column=f.column
        )
        for f in ledger.required
    ]
    exps.append(
        _expect(
            "expect_column_values_to_be_unique", "key.unique", subject=ledger.key, column=ledger.key
        )
    )
    for f in ledger.fields:
        exps += _field_expectations(ledger, f)
    exps += [
        _expect(
            "expect_column_pair_values_a_to_be_greater_than_b",
            "date.order",
            subject=later,
            other=earlier,
            column_A=later,
            column_B=earlier,
            or_equal=True,
            ignore_row_if="either_value_is_missing",
        )
        for later, earlier in DATE_ORDER[ledger.kind]
    ]
    if ledger.kind in CLOSED_STATUSES:
        closed = CLOSED_STATUSES[ledger.kind]
        exps += [
            _expect(
                "expect_column_values_to_not_be_null",
                "status.resolved_on_missing",
                subject="resolved_on",
                other="status",
                column="resolved_on",
                row_condition=_is_in("status", closed),
            ),
            _expect(
                "expect_column_values_to_be_in_set",
                "status.resolved_on_unexpected",
                subject="resolved_on",
                other="status",
                column="status",
                value_set=list(closed),
                row_condition=_nullity("resolved_on", is_null=False),
            ),
        ]
    return _suite(ledger.kind, exps, ledger=ledger.kind, title=ledger.title)


def submission_suite() -> dict[str, Any]:
    """Checks of a submission against the unit's previous accepted one of the same ledger.

    Validated on the comparison frame of :func:`xinfang.quality.frames.comparison_frame`: one
    row per current row and per key that vanished since the previous submission.
    """
    exps = [
        _expect(
            "expect_column_sum_to_be_between",
            "submission.row_drop_reject",
            subject=None,
            column="in_current",
            min_value={"$PARAMETER": "min_rows_reject"},
        ),
        _expect(
            "expect_column_sum_to_be_between",
            "submission.row_drop_hold",
            subject=None,
            column="in_current",
            min_value={"$PARAMETER": "min_rows_hold"},
        ),
        _expect(
            "expect_column_values_to_be_null",
            "submission.keys_vanished",
            subject="key",
            column="vanished_key",
        ),
        _expect(
            "expect_column_pair_values_to_be_equal",
            "submission.registration_date_changed",
            subject="registration_date",
            other="previous_registration_date",
            column_A="registration_date",
            column_B="previous_registration_date",
            ignore_row_if="either_value_is_missing",
        ),
    ]
    return _suite(SUBMISSION_SUITE, exps, title="与上次通过的报送比较")


def _suite(name: str, expectations: list[dict[str, Any]], **meta: str) -> dict[str, Any]:
    for e in expectations:
        canonical = json.dumps([name, e], sort_keys=True, ensure_ascii=False)
        e["id"] = str(uuid.uuid5(_ID_NAMESPACE, canonical))
    return {
        "name": name,
        "id": str(uuid.uuid5(_ID_NAMESPACE, name)),
        "expectations": expectations,
        "meta": {"generated_by": "xinfang.quality.suites", **meta},
        "notes": None,
    }


def definitions() -> dict[str, dict[str, Any]]:
    """Every suite by name."""
    return {
        **{k: ledger_suite(ledger) for k, ledger in LEDGERS.items()},
        SUBMISSION_SUITE: submission_suite(),
    }


def render(suite: dict[str, Any]) -> str:
    """The committed text of a suite: readable Chinese, stable key order."""
    return json.dumps(suite, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def suite_path(name: str, directory: Path = SUITES_DIR) -> Path:
    return directory / f"{name}.json"


def read(name: str, directory: Path = SUITES_DIR) -> tuple[dict[str, Any], str]:
    """A committed suite and the SHA-256 of its file."""
    data = suite_path(name, directory).read_bytes()
    return json.loads(data), hashlib.sha256(data).hexdigest()


def write(directory: Path = SUITES_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, suite in definitions().items():
        path = suite_path(name, directory)
        path.write_text(render(suite), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in write():
        print(written.relative_to(PROJECT_ROOT))
