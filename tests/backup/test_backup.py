"""``xinfang backup`` and ``xinfang restore``: a damaged warehouse back to identical figures.

The warehouse is the hand case of tests/dbt (with a few audit rows added), built by dbt once per
session where tests/figures finds it too; every test works on its own copy.
"""

from __future__ import annotations

import errno
import importlib.util
import json
import os
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

import duckdb
import pytest

from xinfang import backup
from xinfang.build import run_dbt
from xinfang.cli import main
from xinfang.config import Settings
from xinfang.quality.audit import ensure_schema
from xinfang.warehouse import connect

DAY = date(2026, 5, 20)
FIGURES = "SELECT * FROM marts.fct_bulletin_figures ORDER BY ALL"
SOURCE = ["raw.submissions", "raw.submission_messages", "raw.petitions", "raw.risks",
          "raw.backlog", "audit.validation_runs", "audit.expectation_results",
          "audit.row_failures", "audit.acceptances"]  # fmt: skip


def _hand_case() -> ModuleType:
    """tests/dbt/hand_case.py (as tests/figures loads it, under the same name)."""
    name = "xinfang_hand_case"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "dbt" / "hand_case.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec and spec.loader
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


hand_case = _hand_case()


def add_audit_trail(warehouse: Path) -> None:
    """A gate run with a failed check (JSON, lists) and an operator's acceptance."""
    con = connect(warehouse)
    try:
        ensure_schema(con)
        con.execute(
            """
            INSERT INTO audit.validation_runs VALUES ('run-1', 's1', '410883', 'petitions',
                'a.csv', 'ab', TIMESTAMPTZ '2025-04-02 09:00:00+08', 'petitions', 'cd', '1.24',
                now(), now(), false, 'held', 12, 1, now(), '{"success": false}');
            INSERT INTO audit.expectation_results VALUES ('run-1', 0, 'e1', 'expect_x',
                'date.invalid', 'error', true, '登记日期', '{"column": "登记日期"}', false, true,
                2, ['2025-13-01', NULL], [4, 7], NULL);
            INSERT INTO audit.row_failures VALUES ('run-1', 0, 0, 'error', 'date.invalid', 4,
                '登记日期', '2025-13-01', '第4行“登记日期”不是有效日期', '改为 2025-12-01');
            INSERT INTO audit.acceptances VALUES ('s1', now(), '张三', '核实无误', 'held',
                'accepted');
            """
        )
    finally:
        con.close()


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand case built by dbt (models only): this session's, else built here."""
    root = hand_case.hand_case_dir(tmp_path_factory.getbasetemp())
    if not (root / hand_case.BUILT).exists():
        if root.exists():  # tests/dbt is building it: build another
            root = tmp_path_factory.mktemp("hand_case_backup")
        else:
            root.mkdir()
        hand_case.write_hand_case(root / "warehouse.duckdb")
        result = run_dbt(
            ["build", "--exclude-resource-type", "unit_test", "--exclude-resource-type", "test"],
            warehouse=root / "warehouse.duckdb",
            target_path=root / "target",
        )
        assert result.success, result.summary()
        (root / hand_case.BUILT).touch()
    return root / "warehouse.duckdb"


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("XINFANG_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("XINFANG_BACKUPS", str(tmp_path / "backups"))
    return Settings.from_env()


@pytest.fixture
def raw_only(settings: Settings) -> Settings:
    """A warehouse with the hand case's raw layer and an audit trail, not built by dbt."""
    hand_case.write_hand_case(settings.warehouse)
    add_audit_trail(settings.warehouse)
    return settings


def read(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def source_tables(warehouse: Path) -> dict[str, list[tuple]]:
    return {t: read(warehouse, f"SELECT * FROM {t} ORDER BY ALL") for t in SOURCE}


def corrupt_the_middle(path: Path) -> None:
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.seek(size // 3)
        fh.write(b"\xff" * (size // 3))


def test_corrupt_warehouse_restored_and_rebuilt_to_identical_figures(
    built: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = settings.warehouse
    shutil.copy(built, warehouse)
    add_audit_trail(warehouse)
    figures, source = read(warehouse, FIGURES), source_tables(warehouse)
    assert len(figures) > 1000 and all(source[t] for t in SOURCE if t != "raw.submission_messages")

    assert main(["backup"]) == 0
    (folder,) = backup.dated(settings.backups)
    manifest = json.loads((folder / backup.MANIFEST).read_text(encoding="utf-8"))
    assert {t["table"]: t["rows"] for t in manifest["tables"]} == {
        t: len(rows) for t, rows in source.items()
    }
    assert f"9 tables, {sum(map(len, source.values()))} rows" in capsys.readouterr().out

    corrupt_the_middle(warehouse)
    damaged = warehouse.read_bytes()
    with pytest.raises(duckdb.Error):
        read(warehouse, FIGURES)
    problem = backup.damage(warehouse)
    assert problem and "Corrupt database file" in problem

    assert main(["restore", "--from", "latest", "--rebuild"]) == 0
    out = capsys.readouterr().out
    (aside,) = warehouse.parent.glob("warehouse.duckdb.corrupt-*")
    assert aside.read_bytes() == damaged  # kept, never deleted
    assert f"restored {warehouse} from the backup of {folder.name}: 9 tables" in out
    assert f"the earlier file is kept as {aside}" in out
    assert backup.damage(warehouse) is None
    assert source_tables(warehouse) == source
    assert read(warehouse, FIGURES) == figures


def test_a_healthy_warehouse_is_replaced_only_when_forced(
    raw_only: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = raw_only.warehouse
    source = source_tables(warehouse)
    current = read(warehouse, "SELECT * FROM raw.petitions_current ORDER BY ALL")
    backup.backup(raw_only, day=DAY)
    con = connect(warehouse)
    con.execute("DELETE FROM raw.risks")  # a change after the backup
    con.close()
    before = warehouse.read_bytes()

    assert main(["restore"]) == 1
    assert f"{warehouse} reads without error: not replaced" in capsys.readouterr().err
    assert warehouse.read_bytes() == before

    assert main(["restore", "--from", DAY.isoformat(), "--force"]) == 0
    assert "now rebuild the reporting tables: xinfang build" in capsys.readouterr().out
    (aside,) = warehouse.parent.glob("warehouse.duckdb.replaced-*")
    assert aside.read_bytes() == before
    assert source_tables(warehouse) == source
    # the raw layer's views are back too
    assert read(warehouse, "SELECT * FROM raw.petitions_current ORDER BY ALL") == current


@pytest.mark.parametrize("damage", ["truncated", "header overwritten"])
def test_a_damaged_file_is_named_and_a_missing_one_restored(
    raw_only: Settings, damage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = raw_only.warehouse
    source = source_tables(warehouse)
    backup.backup(raw_only, day=DAY)
    if damage == "truncated":
        os.truncate(warehouse, warehouse.stat().st_size // 2)
        expected = "Could not read enough bytes"
    else:
        with warehouse.open("r+b") as fh:
            fh.write(b"\0" * 8192)
        expected = "not a valid DuckDB database file"
    assert expected in (backup.damage(warehouse) or "")
    assert main(["backup"]) == 1  # nothing replaces the good backups
    err = capsys.readouterr().err
    assert f"xinfang backup: the warehouse file {warehouse} is damaged" in err
    assert "Restore it from the nightly backup: xinfang restore --rebuild" in err
    assert [p.name for p in backup.dated(raw_only.backups)] == [DAY.isoformat()]

    warehouse.unlink()  # gone altogether: restored without --force
    assert main(["restore"]) == 0
    assert source_tables(warehouse) == source
    assert "kept as" not in capsys.readouterr().out


def test_an_altered_backup_is_refused_and_the_warehouse_left_alone(
    raw_only: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = raw_only.warehouse
    folder = Path(backup.backup(raw_only, day=DAY)["path"])
    with (folder / "raw.petitions.parquet").open("r+b") as fh:
        fh.seek(100)
        fh.write(b"\0\0\0\0")
    corrupt_the_middle(warehouse)
    damaged = warehouse.read_bytes()

    assert main(["restore"]) == 1
    err = capsys.readouterr().err
    assert f"backup {folder} is damaged: raw.petitions.parquet is missing or altered" in err
    assert warehouse.read_bytes() == damaged
    assert sorted(p.name for p in warehouse.parent.iterdir() if "warehouse" in p.name) == [
        "warehouse.duckdb",
        "warehouse.duckdb.lock",
    ]


def test_a_full_disk_fails_the_backup_and_keeps_the_earlier_ones(
    raw_only: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    earlier = Path(backup.backup(raw_only, day=DAY - timedelta(days=1))["path"])
    manifest = backup.verify(earlier)

    def no_space(path: Path) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(backup, "fsync_path", no_space)
    assert main(["backup"]) == 1
    err = capsys.readouterr().err
    assert "xinfang backup: could not write the backup file " in err
    assert "No space left on device" in err
    assert sorted(p.name for p in raw_only.backups.iterdir()) == [".lock", earlier.name]
    assert backup.verify(earlier) == manifest


def test_a_full_disk_while_restoring_changes_nothing(
    raw_only: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import xinfang.warehouse

    warehouse = raw_only.warehouse
    backup.backup(raw_only, day=DAY)
    corrupt_the_middle(warehouse)
    damaged = warehouse.read_bytes()

    def no_space(path: Path) -> None:
        raise duckdb.IOException("Could not write file: No space left on device")

    monkeypatch.setattr(xinfang.warehouse, "connect", no_space)
    assert main(["restore"]) == 1
    err = capsys.readouterr().err
    assert f"could not write the restored warehouse {warehouse.parent}/" in err
    assert "No space left on device" in err
    assert warehouse.read_bytes() == damaged
    assert sorted(p.name for p in warehouse.parent.iterdir() if "warehouse" in p.name) == [
        "warehouse.duckdb",
        "warehouse.duckdb.lock",
    ]


def test_unknown_backups(raw_only: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["restore"]) == 1
    assert "no backup latest in" in capsys.readouterr().err
    backup.backup(raw_only, day=DAY)
    assert main(["restore", "--from", "2026-05-19"]) == 1
    assert f"(available: {DAY})" in capsys.readouterr().err
    assert main(["restore", "--from", "yesterday"]) == 1
    assert "YYYY-MM-DD or latest, not 'yesterday'" in capsys.readouterr().err


def test_retention_keeps_n_days_and_always_the_newest(raw_only: Settings) -> None:
    root = raw_only.backups
    for days_ago in (30, 15, 14, 13, 1):
        (root / (DAY - timedelta(days=days_ago)).isoformat()).mkdir(parents=True)
    (root / ".partial-2026-05-19").mkdir()  # a backup that was killed
    (root / "notes").mkdir()  # not a backup: left alone

    result = backup.backup(raw_only, day=DAY, keep=14)

    kept = [DAY - timedelta(days=d) for d in (13, 1, 0)]
    assert [p.name for p in backup.dated(root)] == [d.isoformat() for d in kept]
    assert result["pruned"] == [(DAY - timedelta(days=d)).isoformat() for d in (30, 15, 14)]
    assert sorted(p.name for p in root.iterdir()) == [
        ".lock",
        *(d.isoformat() for d in kept),
        "notes",
    ]

    # a second backup the same day replaces the first
    (root / DAY.isoformat() / "from-the-first").touch()
    backup.backup(raw_only, day=DAY, keep=14)
    assert not (root / DAY.isoformat() / "from-the-first").exists()
    assert backup.verify(root / DAY.isoformat())["tables"]
    assert not [p for p in root.iterdir() if p.name.startswith((".partial", ".replaced"))]

    # backups that stopped long ago: the newest stays, however old
    assert backup.prune(root, 3, DAY + timedelta(days=100)) == [d.isoformat() for d in kept[:-1]]
    assert [p.name for p in backup.dated(root)] == [DAY.isoformat()]


def test_keep_days_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert backup.keep_days() == 14
    monkeypatch.setenv("XINFANG_BACKUP_KEEP_DAYS", "3")
    assert backup.keep_days() == 3
    monkeypatch.setenv("XINFANG_BACKUP_KEEP_DAYS", "0")
    with pytest.raises(ValueError, match="at least 1"):
        backup.keep_days()
