"""End to end on the demo prefecture: generator -> ingestion -> dbt -> figures mart, against
every figure computed independently in pandas from the generator's manifest (oracle.py), for
every county, the prefecture and the province, every month and every window. Slow (about a
minute, most of it ingestion)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from oracle import WINDOWS, Expected, expected_figures, half_up

from xinfang.build import run_dbt
from xinfang.cli import main
from xinfang.figures import figures_for

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(manifest directory, built warehouse) of the generator's demo prefecture (焦作市)."""
    root = tmp_path_factory.mktemp("demo")
    manifest, warehouse = root / "synth", root / "warehouse.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XINFANG_PII_KEY", "test-only-key")
        synth = ["synth", "--inbox", str(root / "inbox"), "--manifest", str(manifest),
                 "--seed", "11", "--format", "csv", "--jobs", "2", "--months", "15",
                 "--snapshots", "2"]  # fmt: skip
        assert main(synth) == 0
        main(["ingest", "--inbox", str(root / "inbox"), "--warehouse", str(warehouse),
              "--archive", str(root / "archive")])  # fmt: skip
    result = run_dbt(
        ["build", "--exclude-resource-type", "unit_test"],
        warehouse=warehouse,
        target_path=root / "target",
    )
    assert result.success, result.summary()
    return manifest, warehouse


@pytest.fixture(scope="module")
def expected(demo: tuple[Path, Path]) -> Expected:
    return expected_figures(demo[0])


@pytest.fixture(scope="module")
def con(demo: tuple[Path, Path]) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(demo[1]), read_only=True)
    yield connection
    connection.close()


def _mart(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, date, str], dict[str, tuple]]:
    out: dict[tuple[str, date, str], dict[str, tuple]] = {}
    for unit, month, window, indicator, *rest in con.execute(
        "SELECT unit_code, report_month, window_name, indicator_id, value_type, value, num, den,"
        " pct, ledger, units_reporting FROM marts.fct_bulletin_figures"
    ).fetchall():
        out.setdefault((unit, month, window), {})[indicator] = tuple(rest)
    return out


def _mismatches(expected_value: object, row: tuple) -> bool:
    value_type, value, num, den, pct, *_ = row
    match value_type:
        case "rate":
            e_num, e_den = expected_value  # type: ignore[misc]
            return (num, den, pct) != (e_num, e_den, half_up(e_num, e_den))
        case "bool":
            return value != Decimal(int(expected_value))  # type: ignore[call-overload]
        case _:
            return value != expected_value


def test_every_figure_of_every_unit_month_and_window(
    con: duckdb.DuckDBPyConnection, expected: Expected
) -> None:
    mart = _mart(con)
    assert set(mart) == set(expected.figures)
    assert {unit for unit, _, _ in mart} == set(expected.units) and len(expected.units) == 12
    assert len(expected.months) >= 15
    wrong = []
    for key, figures in expected.figures.items():
        rows = mart[key]
        assert set(rows) == set(figures), key
        for indicator, value in figures.items():
            row = rows[indicator]
            if _mismatches(value, row):
                wrong.append((key, indicator, value, row))
            if row[-1] != expected.coverage[key][row[-2]]:
                wrong.append((key, indicator, "units_reporting", expected.coverage[key], row))
    assert not wrong, f"{len(wrong)} figures differ, e.g. {wrong[:10]}"


def test_changes_against_the_oracle(con: duckdb.DuckDBPyConnection, expected: Expected) -> None:
    pairs = {"ytd_yoy_pct": ("ytd", "ytd_ly"), "month_yoy_pct": ("month", "month_ly"),
             "month_mom_pct": ("month", "prev_month")}  # fmt: skip
    rows = con.execute(
        "SELECT unit_code, report_month, change_id, indicator_id, pct"
        " FROM marts.fct_bulletin_changes"
    ).fetchall()
    checked = 0
    for unit, month, change, indicator, pct in rows:
        current, base = pairs[change]
        x = expected.figures[(unit, month, current)][indicator]
        x_base = expected.figures[(unit, month, base)][indicator]
        assert pct == half_up(x - x_base, x_base), (unit, month, change, indicator)
        checked += 1
    assert checked == len(expected.figures) // len(WINDOWS) * 3 * 88  # 88 counts and money


def test_prefecture_figures_file(con: duckdb.DuckDBPyConnection, expected: Expected) -> None:
    month = expected.months[-1]
    doc = figures_for(con, "410800", month)
    for window in WINDOWS:
        figures = expected.figures[("410800", month, window)]
        for indicator, value in figures.items():
            got = doc["windows"][window][indicator]
            if isinstance(value, tuple):
                pct = half_up(*value)
                assert got == {"num": value[0], "den": value[1],
                               "pct": None if pct is None else float(pct)}  # fmt: skip
            else:
                assert got == (float(value) if isinstance(value, Decimal) else value), indicator


def _raw_and_mart(warehouse: Path) -> tuple[dict[str, list[tuple]], int]:
    """Every raw ledger row and every figure, sorted; and the number of registered files."""
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = ["raw.petitions", "raw.risks", "raw.backlog", "marts.fct_bulletin_figures"]
        rows = {t: sorted(map(repr, connection.execute(f"SELECT * FROM {t}").fetchall()))
                for t in tables}  # fmt: skip
        (files,) = connection.execute("SELECT count(*) FROM raw.submissions").fetchone()
        return rows, files
    finally:
        connection.close()


def test_a_rejected_submission_changes_no_raw_row_and_no_figure(
    demo: tuple[Path, Path], tmp_path: Path
) -> None:
    """孟州市 resends one of its items with persons -3: had it loaded, the item's newest version
    would change its figures. Rejected, it leaves every raw row and every figure as they were."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(demo[1], warehouse)
    before, files = _raw_and_mart(warehouse)
    connection = duckdb.connect(str(warehouse), read_only=True)
    item, registered = connection.execute(
        "SELECT item_id, registered_on FROM raw.petitions_current WHERE unit_code = '410883'"
        " ORDER BY item_id LIMIT 1"
    ).fetchone()
    connection.close()
    folder = tmp_path / "inbox" / "410883"
    folder.mkdir(parents=True)
    (folder / "孟州市信访事项台账补报.csv").write_text(
        "信访件编号,登记日期,信访形式,登记层级,信访人数,内容分类,是否初次信访\n"
        f"{item},{registered},来信,县,-3,城乡建设,是\n",
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XINFANG_PII_KEY", "test-only-key")
        main(["ingest", "--inbox", str(tmp_path / "inbox"), "--warehouse", str(warehouse),
              "--archive", str(tmp_path / "archive")])  # fmt: skip
    result = run_dbt(
        ["build", "--exclude-resource-type", "unit_test", "--exclude-resource-type", "test"],
        warehouse=warehouse,
        target_path=tmp_path / "target",
    )
    assert result.success, result.summary()
    after, files_after = _raw_and_mart(warehouse)
    assert files_after == files + 1
    connection = duckdb.connect(str(warehouse), read_only=True)
    outcome = connection.execute(
        "SELECT outcome FROM raw.submissions ORDER BY received_at DESC LIMIT 1"
    ).fetchone()
    connection.close()
    assert outcome == ("rejected",)
    assert after == before
