"""A throw-away local PostgreSQL, and a loader copying the warehouse's raw layer into it.

The server is the Debian ``postgresql`` package's binaries run on a private data directory and
port (installed with apt-get when missing and we are root). The loader copies every raw table
and the ``raw.<kind>_current`` views' rows (as tables: the dbt project reads them as sources),
so both targets build from identical input; the seeds are loaded by ``dbt build`` itself.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

RAW_TABLES = ("submissions", "submission_messages", "petitions", "risks", "backlog")
CURRENT_VIEWS = ("petitions_current", "risks_current", "backlog_current")


class PostgresUnavailable(RuntimeError):
    """PostgreSQL could not be installed or started here; the message says why."""


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    user: str
    database: str

    def env(self) -> dict[str, str]:
        """The variables dbt_project/profiles.yml reads for the postgres target."""
        return {
            "XINFANG_PG_HOST": self.host,
            "XINFANG_PG_PORT": str(self.port),
            "XINFANG_PG_USER": self.user,
            "XINFANG_PG_PASSWORD": "",
            "XINFANG_PG_DATABASE": self.database,
        }

    def connect(self):  # -> psycopg2 connection
        import psycopg2

        return psycopg2.connect(
            host=self.host, port=self.port, user=self.user, dbname=self.database
        )


def _bin_dir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def _ensure_binaries() -> Path:
    if (found := _bin_dir()) is not None:
        return found
    if os.geteuid() != 0:
        raise PostgresUnavailable("the postgresql package is missing and we are not root")
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "postgresql"]):
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
        if done.returncode != 0:
            raise PostgresUnavailable(f"{' '.join(cmd)} failed: {done.stderr[-500:]}")
    if (found := _bin_dir()) is None:
        raise PostgresUnavailable("apt-get installed postgresql but no initdb was found")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def local_server() -> Iterator[Server]:
    """Start a private PostgreSQL (trust auth, 127.0.0.1), create database ``xinfang``."""
    bin_dir = _ensure_binaries()
    # initdb refuses to run as root: run the server as the package's postgres user
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    root = Path(tempfile.mkdtemp(prefix="xinfang-pg-"))
    data, port = root / "data", _free_port()
    if as_user:
        shutil.chown(root, "postgres", "postgres")

    def run(*args: str) -> None:
        done = subprocess.run([*as_user, *args], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise PostgresUnavailable(f"{Path(args[0]).name} failed: {done.stderr[-800:]}")

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
            "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"),
            "-w", "-t", "60", "start")  # fmt: skip
    except PostgresUnavailable:
        shutil.rmtree(root, ignore_errors=True)
        raise
    try:
        import psycopg2

        admin = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
        admin.autocommit = True
        admin.cursor().execute("CREATE DATABASE xinfang")
        admin.close()
        yield Server("127.0.0.1", port, "postgres", "xinfang")
    finally:
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast",
                        "-w", "stop"], capture_output=True, check=False)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


def _pg_type(duckdb_type: str) -> str:
    return {"TIMESTAMP WITH TIME ZONE": "timestamptz", "VARCHAR": "varchar"}.get(
        duckdb_type, duckdb_type.lower()
    )


def copy_raw_layer(source: duckdb.DuckDBPyConnection, server: Server) -> dict[str, int]:
    """Copy every raw table and current view into schema ``raw``; returns rows per table."""
    from psycopg2.extras import execute_values

    copied: dict[str, int] = {}
    pg = server.connect()
    try:
        with pg, pg.cursor() as cur:
            cur.execute("CREATE SCHEMA IF NOT EXISTS raw")
            for table in (*RAW_TABLES, *CURRENT_VIEWS):
                columns = source.execute(f"DESCRIBE raw.{table}").fetchall()
                ddl = ", ".join(f'"{name}" {_pg_type(kind)}' for name, kind, *_ in columns)
                cur.execute(f"DROP TABLE IF EXISTS raw.{table}")
                cur.execute(f"CREATE TABLE raw.{table} ({ddl})")
                rows = source.execute(f"SELECT * FROM raw.{table}").fetchall()
                if rows:
                    execute_values(cur, f"INSERT INTO raw.{table} VALUES %s", rows)
                copied[table] = len(rows)
    finally:
        pg.close()
    return copied
