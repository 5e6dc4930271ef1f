"""sqlfluff (dialect duckdb, jinja templater, dbt_project/.sqlfluff) is clean on every model
and test. Slow (about a minute: the templater renders every model with the project's macros)."""

from __future__ import annotations

import pytest

from xinfang.build import DBT_PROJECT_DIR


@pytest.mark.slow
def test_models_and_tests_lint_clean() -> None:
    from sqlfluff.core import FluffConfig, Linter

    config = FluffConfig.from_path(str(DBT_PROJECT_DIR))
    result = Linter(config=config).lint_paths(
        (str(DBT_PROJECT_DIR / "models"), str(DBT_PROJECT_DIR / "tests")), processes=2
    )
    violations = [
        f"{record['filepath']}:{v['start_line_no']} {v['code']} {v['description']}"
        for record in result.as_records()
        for v in record["violations"]
    ]
    assert result.stats(0, 0)["files"] >= 30
    assert not violations, "\n".join(violations)
