"""The committed suites are what the contract generates, and GX reads them whole."""

from __future__ import annotations

import json

import pytest

from xinfang.quality import suites
from xinfang.quality.rules import RULES
from xinfang.schema import LEDGERS


@pytest.mark.parametrize("name", suites.SUITE_NAMES)
def test_the_committed_suite_file_is_generated_from_the_contract(name):
    text = suites.suite_path(name).read_text(encoding="utf-8")
    assert text == suites.render(suites.definitions()[name]), (
        "run: uv run python -m xinfang.quality.suites"
    )
    assert "「" in text  # Chinese kept readable, not \\u-escaped


def test_the_file_data_context_loads_every_expectation():
    import great_expectations as gx

    context = gx.get_context(mode="file", context_root_dir=str(suites.CONTEXT_DIR))
    for name in suites.SUITE_NAMES:
        on_disk = json.loads(suites.suite_path(name).read_text(encoding="utf-8"))
        assert len(context.suites.get(name).expectations) == len(on_disk["expectations"])


def test_every_rule_is_enforced_and_every_expectation_names_a_known_rule():
    used = set()
    for suite in suites.definitions().values():
        for e in suite["expectations"]:
            meta = e["meta"]
            rule = RULES[meta["rule"]]
            assert meta["severity"] == rule.severity
            assert e["severity"] == ("critical" if rule.severity == "error" else "warning")
            assert meta["message_zh"] == rule.message_zh
            used.add(rule.id)
    assert used == set(RULES)


@pytest.mark.parametrize("kind", list(LEDGERS))
def test_every_enum_and_required_field_of_the_contract_is_checked(kind):
    ledger = LEDGERS[kind]
    exps = suites.definitions()[kind]["expectations"]
    domains = {
        e["kwargs"]["column"]: e["kwargs"]["value_set"]
        for e in exps
        if e["meta"]["rule"] == "enum.domain"
    }
    assert domains == {
        f.column: list(f.canonical_values) for f in ledger.fields if f.kind == "enum"
    }
    for rule in ("column.missing", "value.required"):
        checked = {e["kwargs"]["column"] for e in exps if e["meta"]["rule"] == rule}
        assert checked == {f.column for f in ledger.required}
    (unique,) = [e for e in exps if e["meta"]["rule"] == "key.unique"]
    assert unique["kwargs"]["column"] == ledger.key


def test_only_the_large_row_drop_holds():
    holding = {r.id for r in RULES.values() if r.hold}
    assert holding == {"submission.row_drop_hold"}
    assert RULES["submission.row_drop_hold"].severity == "warning"
