"""Nightly backups of the warehouse's raw layer, and restoring a damaged warehouse from one.

    xinfang backup
    xinfang restore [--from YYYY-MM-DD|latest] [--force] [--rebuild]

A backup holds what nothing else can rebuild: every table of the schemas ``raw`` (the registry,
the clerks' messages, the ledger rows) and ``audit`` (the quality gate's records, operators'
acceptances). The rest of the warehouse -- reference seeds, staging, intermediate and mart
tables -- is dbt's to rebuild from them (``xinfang build``).

A backup is a folder ``<XINFANG_BACKUPS>/<YYYY-MM-DD>/`` (the Asia/Shanghai date) with one
Parquet file per table and ``manifest.json``: each table's DDL, row count and the SHA-256 of its
file. It is written under a hidden ``.partial-…`` name, each file checked against its table (rows
and a digest of their content) and synced, then renamed into place: a dated folder is always a
whole backup. A second backup on the same day replaces the first. After a backup, the folders
of more than ``XINFANG_BACKUP_KEEP_DAYS`` (14) days ago are removed, never the newest.

A restore first checks the backup's files against the manifest; refuses to replace a warehouse
that reads without error unless forced; loads the backup into a new file beside the warehouse
and checks every table's rows and content against the backup's files; only then moves the old
file aside (``<name>.corrupt-<time>``, or ``.replaced-<time>`` when forced: never deleted) and
puts the new one in its place, all under the warehouse's write lock.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from xinfang.config import Settings
from xinfang.durable import fsync_path, hash_file
from xinfang.warehouse_lock import warehouse_lock

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: The schemas a backup holds: the source of truth, which dbt cannot rebuild.
SCHEMAS = ("raw", "audit")
MANIFEST = "manifest.json"
LOCK = ".lock"
DATED = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: Days of backups kept (``XINFANG_BACKUP_KEEP_DAYS``).
DEFAULT_KEEP_DAYS = 14
GUIDE = "docs/operations.md, 'The warehouse file is corrupt'"


class WarehouseDamaged(RuntimeError):
    """The warehouse file cannot be read: restore it from a backup."""


class BackupError(RuntimeError):
    """No such backup, a backup whose files are not what its manifest says, or a refusal."""


def keep_days() -> int:
    days = int(os.environ.get("XINFANG_BACKUP_KEEP_DAYS", DEFAULT_KEEP_DAYS))
    if days < 1:
        raise ValueError(f"XINFANG_BACKUP_KEEP_DAYS must be at least 1, not {days}")
    return days


def today() -> date:
    return datetime.now(SHANGHAI).date()


# ---------------------------------------------------------------------------------------------
# Reading the warehouse
# ---------------------------------------------------------------------------------------------


def _relation(table: str) -> str:
    schema, name = table.split(".")
    return f'"{schema}"."{name}"'


def _content(con: duckdb.DuckDBPyConnection, source: str, params: list[Any]) -> tuple[int, str]:
    """Rows and an order-independent digest of every value of every row of ``source``."""
    rows, digest = con.execute(
        f"SELECT count(*), coalesce(sum(hash(t)), 0)::VARCHAR FROM {source} AS t", params
    ).fetchone()
    return rows, digest


def _file_content(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[int, str]:
    return _content(con, "read_parquet(?)", [str(path)])


def damaged(warehouse: Path, problem: object) -> WarehouseDamaged:
    return WarehouseDamaged(
        f"the warehouse file {warehouse} is damaged ({problem}). Restore it from the nightly "
        f"backup: xinfang restore --rebuild ({GUIDE})"
    )


def _held_elsewhere(error: duckdb.Error) -> bool:
    """DuckDB could not open the file because another process has it open: not damage."""
    return "Could not set lock" in str(error)


def damage(warehouse: Path) -> str | None:
    """What is wrong with the warehouse file: every table is read in full; None when all reads."""
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as error:
        if _held_elsewhere(error):
            raise
        return str(error)
    try:
        tables = con.execute(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
            "WHERE database_name = current_database() ORDER BY ALL"
        ).fetchall()
        for (table,) in tables:
            try:
                _content(con, _relation(table), [])
            except duckdb.Error as error:
                return f"{table}: {error}"
    except duckdb.Error as error:
        return str(error)
    finally:
        con.close()
    return None


# ---------------------------------------------------------------------------------------------
# Files and folders
# ---------------------------------------------------------------------------------------------


@contextmanager
def _locked(root: Path, *, exclusive: bool) -> Iterator[None]:
    """One backup at a time, and none while a restore reads one."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / LOCK).open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield


def dated(root: Path) -> list[Path]:
    """The backups, oldest first."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and DATED.match(p.name))


def _remove_leftovers(root: Path) -> None:
    """The hidden folders of a backup that was killed: nothing uses them under the lock."""
    for path in root.iterdir():
        if path.is_dir() and path.name.startswith((".partial-", ".replaced-")):
            shutil.rmtree(path)


def _put_in_place(partial: Path, target: Path) -> None:
    if target.exists():  # the day's earlier backup: replaced
        old = target.with_name(f".replaced-{target.name}")
        os.rename(target, old)
        os.rename(partial, target)
        shutil.rmtree(old)
    else:
        os.rename(partial, target)
    fsync_path(target.parent)


def prune(root: Path, keep: int, day: date) -> list[str]:
    """Remove the backups dated ``keep`` days or more before ``day``, never the newest."""
    cutoff = day - timedelta(days=keep)
    removed = []
    for path in dated(root)[:-1]:
        if date.fromisoformat(path.name) <= cutoff:
            shutil.rmtree(path)
            removed.append(path.name)
    return removed


# ---------------------------------------------------------------------------------------------
# Backup
# ---------------------------------------------------------------------------------------------


def _export(warehouse: Path, folder: Path) -> list[dict[str, Any]]:
    """Every table of :data:`SCHEMAS` to a Parquet file in ``folder``, checked and synced.

    A table that cannot be read is :func:`damaged`; a file that cannot be written (a full
    disk) is a :class:`BackupError` naming it.
    """
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as error:
        if _held_elsewhere(error):
            raise
        raise damaged(warehouse, error) from error
    entries = []
    try:
        for table, ddl in con.execute(
            "SELECT schema_name || '.' || table_name, sql FROM duckdb_tables() "
            "WHERE database_name = current_database() AND schema_name IN ? ORDER BY ALL",
            [list(SCHEMAS)],
        ).fetchall():
            try:
                rows, digest = _content(con, _relation(table), [])
            except duckdb.Error as error:
                raise damaged(warehouse, f"{table}: {error}") from error
            path = folder / f"{table}.parquet"
            literal = str(path).replace("'", "''")
            try:
                con.execute(
                    f"COPY (SELECT * FROM {_relation(table)}) TO '{literal}' "
                    "(FORMAT parquet, COMPRESSION zstd)"
                )
                fsync_path(path)
                written = _file_content(con, path)
            except (duckdb.Error, OSError) as error:
                raise BackupError(f"could not write the backup file {path}: {error}") from error
            if written != (rows, digest):
                raise BackupError(f"{path} does not hold what {table} holds")
            entries.append(
                {
                    "table": table,
                    "file": path.name,
                    "rows": rows,
                    "sha256": hash_file(path),
                    "ddl": ddl,
                }
            )
    except duckdb.Error as error:  # the catalogue itself
        raise damaged(warehouse, error) from error
    finally:
        con.close()
    return entries


def backup(
    settings: Settings, *, day: date | None = None, keep: int | None = None
) -> dict[str, Any]:
    """Back up the warehouse's raw layer into ``<backups>/<day>/``; prune old backups."""
    day = day or today()
    keep = keep_days() if keep is None else keep
    root, warehouse = settings.backups, settings.warehouse
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}")
    started = time.perf_counter()
    with _locked(root, exclusive=True):
        _remove_leftovers(root)
        partial = root / f".partial-{day}"
        partial.mkdir()
        try:
            with warehouse_lock(warehouse, exclusive=False):
                tables = _export(warehouse, partial)
            manifest = {
                "created_at": datetime.now(SHANGHAI).isoformat(timespec="seconds"),
                "warehouse": str(warehouse),
                "duckdb_version": duckdb.__version__,
                "tables": tables,
            }
            text = json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"
            (partial / MANIFEST).write_text(text, encoding="utf-8")
            fsync_path(partial / MANIFEST)
            fsync_path(partial)
            _put_in_place(partial, root / day.isoformat())
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        pruned = prune(root, keep, day)
    folder = root / day.isoformat()
    return {
        "path": str(folder),
        "date": day.isoformat(),
        "tables": {t["table"]: t["rows"] for t in tables},
        "bytes": sum(p.stat().st_size for p in folder.iterdir()),
        "seconds": round(time.perf_counter() - started, 3),
        "pruned": pruned,
    }


# ---------------------------------------------------------------------------------------------
# Restore
# ---------------------------------------------------------------------------------------------


def find(root: Path, source: str = "latest") -> Path:
    """The backup of the date ``source`` (YYYY-MM-DD), or the newest (``latest``)."""
    backups = dated(root)
    if source != "latest":
        if not DATED.match(source):
            raise BackupError(f"--from takes a date YYYY-MM-DD or latest, not {source!r}")
        backups = [p for p in backups if p.name == source]
    if not backups:
        available = ", ".join(p.name for p in dated(root)) or "none"
        raise BackupError(f"no backup {source} in {root} (available: {available})")
    return backups[-1]


def verify(folder: Path) -> dict[str, Any]:
    """The backup's manifest, once every file it names is there with its SHA-256."""
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        raise BackupError(f"backup {folder} has no {MANIFEST}")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for table in manifest["tables"]:
        path = folder / table["file"]
        if not path.exists() or hash_file(path) != table["sha256"]:
            raise BackupError(f"backup {folder} is damaged: {path.name} is missing or altered")
    return manifest


def _load(target: Path, folder: Path, manifest: dict[str, Any]) -> None:
    """A new warehouse file with the backup's tables, each checked against its file."""
    from xinfang.warehouse import connect

    try:
        con = duckdb.connect(str(target))
        try:
            for schema in sorted({t["table"].split(".")[0] for t in manifest["tables"]}):
                con.execute(f'CREATE SCHEMA "{schema}"')
            for table in manifest["tables"]:
                path, relation = folder / table["file"], _relation(table["table"])
                con.execute(table["ddl"])
                con.execute(
                    f"INSERT INTO {relation} BY NAME SELECT * FROM read_parquet(?)", [str(path)]
                )
                restored = _content(con, relation, [])
                if restored[0] != table["rows"] or restored != _file_content(con, path):
                    raise BackupError(f"{table['table']} was not restored as {path} holds it")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        con = connect(target)  # the raw layer's views (and any table added since the backup)
        try:
            con.execute("CHECKPOINT")
        finally:
            con.close()
    except (duckdb.Error, OSError) as error:  # a full disk, above all
        raise BackupError(f"could not write the restored warehouse {target}: {error}") from error


def _move_aside(warehouse: Path, why: str) -> Path:
    """Rename the warehouse (and its write-ahead log) to ``<name>.<why>-<time>``."""
    stamp = datetime.now(SHANGHAI).strftime("%Y%m%dT%H%M%S")
    aside = warehouse.with_name(f"{warehouse.name}.{why}-{stamp}")
    wal = warehouse.with_name(f"{warehouse.name}.wal")
    if wal.exists():  # never left beside the restored file: DuckDB would replay it
        os.rename(wal, aside.with_name(f"{aside.name}.wal"))
    os.rename(warehouse, aside)
    return aside


def restore(
    settings: Settings, source: str = "latest", *, force: bool = False, rebuild: bool = False
) -> dict[str, Any]:
    """Replace a damaged (or missing; with ``force``, any) warehouse by a backup's raw layer.

    With ``rebuild``, ``dbt build`` then rebuilds the rest, still under the write lock.
    """
    warehouse = settings.warehouse
    with _locked(settings.backups, exclusive=False):
        folder = find(settings.backups, source)
        manifest = verify(folder)
        with warehouse_lock(warehouse, exclusive=True):
            problem = damage(warehouse) if warehouse.exists() else None
            if warehouse.exists() and problem is None and not force:
                raise BackupError(
                    f"{warehouse} reads without error: not replaced by the backup of "
                    f"{folder.name}. Add --force to replace it anyway (it is kept beside)."
                )
            fresh = warehouse.with_name(f".{warehouse.name}.restoring")
            fresh.unlink(missing_ok=True)
            try:
                _load(fresh, folder, manifest)
                aside = None
                if warehouse.exists():
                    aside = _move_aside(warehouse, "corrupt" if problem else "replaced")
                os.replace(fresh, warehouse)
                fsync_path(warehouse.parent)
            finally:
                fresh.unlink(missing_ok=True)
            result = {
                "backup": folder.name,
                "warehouse": str(warehouse),
                "problem": problem,
                "moved_aside": str(aside) if aside else None,
                "tables": {t["table"]: t["rows"] for t in manifest["tables"]},
            }
            if rebuild:
                from xinfang.build import build

                result["build"] = build(settings)
    return result


# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------


def add_backup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        f"Back up the warehouse's raw layer into XINFANG_BACKUPS/<date>/; keep "
        f"XINFANG_BACKUP_KEEP_DAYS days ({DEFAULT_KEEP_DAYS})."
    )


def run_backup(args: argparse.Namespace) -> int:
    try:
        result = backup(Settings.from_env())
    except (OSError, WarehouseDamaged, BackupError) as error:
        print(f"xinfang backup: {error}", file=sys.stderr)
        return 1
    rows = sum(result["tables"].values())
    print(
        f"backup {result['date']}: {len(result['tables'])} tables, {rows} rows, "
        f"{result['bytes'] / 1e6:.1f} MB in {result['seconds']:.1f} s -> {result['path']}"
    )
    for name in result["pruned"]:
        print(f"removed the backup of {name}")
    return 0


def add_restore_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Replace a damaged warehouse file by the raw layer of a nightly backup; the damaged "
        "file is moved aside, never deleted. Then run xinfang build (or pass --rebuild)."
    )
    parser.add_argument(
        "--from",
        dest="source",
        metavar="DATE",
        default="latest",
        help="the backup's date, YYYY-MM-DD, or latest (default)",
    )
    parser.add_argument(
        "--force", action="store_true", help="replace the warehouse even if it reads without error"
    )
    parser.add_argument("--rebuild", action="store_true", help="then dbt build the warehouse")


def run_restore(args: argparse.Namespace) -> int:
    from xinfang.build import BuildError

    try:
        result = restore(Settings.from_env(), args.source, force=args.force, rebuild=args.rebuild)
    except (OSError, BackupError, BuildError) as error:
        print(f"xinfang restore: {error}", file=sys.stderr)
        return 1
    rows = sum(result["tables"].values())
    print(
        f"restored {result['warehouse']} from the backup of {result['backup']}: "
        f"{len(result['tables'])} tables, {rows} rows, each checked against the backup"
    )
    if result["moved_aside"]:
        print(
            f"the earlier file is kept as {result['moved_aside']} ({result['problem'] or 'forced'})"
        )
    if "build" in result:
        print(f"dbt build: {result['build']['counts']} in {result['build']['seconds']:.1f} s")
    else:
        print("now rebuild the reporting tables: xinfang build")
    return 0
