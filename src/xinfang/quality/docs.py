"""GX Data Docs: a static site of the suites and of every recorded validation run.

Built from the audit tables (``audit.validation_runs.gx_result``), not from a GX store, so the
warehouse stays the one record and the site can be rebuilt at any time, into
``$XINFANG_REPORTS/quality`` by default. Each run is named for the bureau, the day and the file
(``孟州市 2025-12-03 台账.xlsx (410883-…)``), which is how an auditor looks for it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import duckdb

from xinfang.config import Settings
from xinfang.quality import engine, suites

SITE_NAME = "xinfang_quality"


def default_site() -> Path:
    return Settings.from_env().reports / "quality"


def build_data_docs(
    con: duckdb.DuckDBPyConnection,
    site_dir: Path | None = None,
    *,
    submission_ids: Sequence[str] | None = None,
) -> Path:
    """Render the suites and the recorded runs (all, or those of ``submission_ids``).

    Reads the warehouse only; returns the site's ``index.html``.
    """
    engine.quiet()
    import great_expectations as gx
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResultSchema,
    )
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    engine.quiet()
    site_dir = (site_dir or default_site()).resolve()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.add_data_docs_site(
        SITE_NAME,
        {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(site_dir),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    for name in suites.SUITE_NAMES:
        context.suites.add(gx.ExpectationSuite(**suites.read(name)[0]))

    schema = ExpectationSuiteValidationResultSchema()
    where, params = "", []
    if submission_ids is not None:
        where, params = "WHERE submission_id IN (SELECT unnest(?))", [list(submission_ids)]
    rows = con.execute(
        f"SELECT suite_name, gx_result FROM audit.validation_runs {where} ORDER BY started_at",
        params,
    ).fetchall()
    for suite_name, text in rows:
        data = json.loads(text)
        run = data["meta"]["run_id"]
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_name),
            run_id=RunIdentifier(run["run_name"], datetime.fromisoformat(run["run_time"])),
            batch_identifier=data["meta"]["xinfang"]["submission_id"],
        )
        context.validation_results_store.set(key, schema.load(data))
    context.build_data_docs(site_names=[SITE_NAME])
    return site_dir / "index.html"
