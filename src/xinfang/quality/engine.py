"""Great Expectations, imported late, kept quiet and offline.

``import great_expectations`` costs 6–9 s, so nothing imports it at module level: the first
validation in a process pays it once (:func:`runtime`). The runtime is an in-memory (ephemeral)
context holding the committed suites, read from their files; validating a batch stores nothing,
so parallel validations never write to the repository or to each other.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from xinfang.quality import suites

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations.core import ExpectationSuiteValidationResult

#: Every validation reports the source rows of its failures, and all of them.
RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": ["source_row"]}


def quiet() -> None:
    """No analytics, no chatter in the task logs (GX is loud after Airflow).

    Call before importing GX and again after: some GX modules set their own logger's level
    when imported.
    """
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    for name in ["great_expectations", *logging.root.manager.loggerDict]:
        if name.split(".")[0] == "great_expectations":
            logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module=r"great_expectations(\.|$)")


@dataclass(frozen=True)
class GxRun:
    """A suite's raw GX result, with what the audit needs about the suite and the run."""

    suite_name: str
    suite_sha256: str
    gx_version: str
    started_at: datetime
    finished_at: datetime
    result: ExpectationSuiteValidationResult


class Runtime:
    def __init__(self) -> None:
        quiet()
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        quiet()
        self.version: str = gx.__version__
        self._context = gx.get_context(mode="ephemeral")
        self._context.variables.progress_bars = ProgressBarsConfig(globally=False)
        source = self._context.data_sources.add_pandas("xinfang")
        self._batches = {}
        self._suites = {}
        for name in suites.SUITE_NAMES:
            definition, sha256 = suites.read(name)
            suite = gx.ExpectationSuite(**definition)
            if len(suite.expectations) != len(definition["expectations"]):
                raise ValueError(f"GX refused an expectation of the suite file {name}.json")
            self._suites[name] = (suite, sha256)
            asset = source.add_dataframe_asset(name)
            self._batches[name] = asset.add_batch_definition_whole_dataframe("submission")
        self._lock = threading.Lock()

    def validate(self, suite_name: str, frame: pd.DataFrame, parameters: dict[str, Any]) -> GxRun:
        """Pass or fail for the whole suite, then the failures' details.

        GX's cost is mostly per expectation and grows with the detail asked for: a clean
        submission (the usual case) is judged at ``BOOLEAN_ONLY``; only the expectations that
        failed are run again at :data:`RESULT_FORMAT` for their rows. Both passes share one
        GX validator (what ``Batch.validate`` builds for each call), so GX loads and
        fingerprints the frame once.
        """
        import great_expectations as gx
        from great_expectations.validator.v1_validator import Validator

        suite, sha256 = self._suites[suite_name]
        with self._lock:
            started = datetime.now(UTC)
            validator = Validator(
                batch_definition=self._batches[suite_name],
                batch_parameters={"dataframe": frame},
                result_format="BOOLEAN_ONLY",
            )
            result = validator.validate_expectation_suite(suite, parameters)
            failed = {r.expectation_config.id for r in result.results if not r.success}
            if failed:
                again = gx.ExpectationSuite(
                    name=suite.name,
                    expectations=[e.configuration for e in suite.expectations if e.id in failed],
                )
                validator.result_format = RESULT_FORMAT
                details = validator.validate_expectation_suite(again, parameters)
                detailed = {r.expectation_config.id: r for r in details.results}
                result.results = [detailed.get(r.expectation_config.id, r) for r in result.results]
            # GX reorders results; the audit keeps the suite's order
            order = {e.id: i for i, e in enumerate(suite.expectations)}
            result.results.sort(key=lambda r: order[r.expectation_config.id])
            finished = datetime.now(UTC)
        return GxRun(suite_name, sha256, self.version, started, finished, result)

    @functools.cache  # noqa: B019 -- one runtime per process, a handful of suites
    def columns(self, suite_name: str) -> frozenset[str]:
        """Every column the suite's expectations read or name in a message."""
        out = set()
        for e in self._suites[suite_name][0].expectations:
            kwargs = e.configuration.to_json_dict()["kwargs"]
            out |= {kwargs.get(k) for k in ("column", "column_A", "column_B")}
            out.add(((kwargs.get("row_condition") or {}).get("column") or {}).get("name"))
            out |= {e.meta.get("subject"), e.meta.get("other")}
        return frozenset(out - {None})


@functools.cache
def runtime() -> Runtime:
    """The process's GX runtime (the first call imports GX)."""
    return Runtime()
