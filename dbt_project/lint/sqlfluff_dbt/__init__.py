"""dbt's context for sqlfluff's jinja templater (``.sqlfluff``: library_path).

sqlfluff renders the models with the project's own macros (load_macros_from_path) and its dbt
builtins (ref, source, config, return); this supplies the rest: ``var`` with the project's real
values, and the cross-database macros (``dbt.*``, ``adapter.dispatch``) as plausible DuckDB SQL.
It only has to produce SQL of the same shape for linting: dbt itself compiles the real thing.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml

_VARS: dict[str, Any] = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "dbt_project.yml").read_text(encoding="utf-8")
)["vars"]


def var(name: str, default: Any = None) -> Any:
    return _VARS.get(name, default)


def _call(name: str) -> Any:
    return lambda *args: f"{name}({', '.join(str(a) for a in args)})"


dbt = SimpleNamespace(
    concat=lambda fields: " || ".join(fields),
    dateadd=lambda part, n, expr: f"({expr} + cast({n} as bigint) * interval 1 {part})",
    date_trunc=lambda part, expr: f"date_trunc('{part}', {expr})",
    datediff=lambda a, b, part: f"date_diff('{part}', {a}, {b})",
    last_day=lambda expr, part: f"last_day({expr})",
    listagg=lambda measure, delimiter, order="": f"string_agg({measure}, {delimiter} {order})",
    bool_or=lambda expr: f"bool_or({expr})",
    current_timestamp=lambda: "current_timestamp",
    type_string=lambda: "varchar",
    date_spine=lambda part, start, end: (
        f"select range as date_{part} from range({start}, {end}, interval 1 {part})"
    ),
)

adapter = SimpleNamespace(dispatch=lambda name, *_: _call(name))
