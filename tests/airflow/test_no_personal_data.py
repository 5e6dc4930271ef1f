"""No personal data outside the archive, and the pseudonymisation key nowhere: the demo's output.

The sample's names, phone numbers and ID numbers (the generator's truth tables) are looked for
in everything ``xinfang run`` (the ``demo`` fixture) left under its home but the inbox and the
archived files themselves, the one place that keeps them: the warehouse, the clerk's reports
beside the archived files (values shown masked: masked is fine, whole is not), the bulletins
(PDF text, figures JSON, the index), the quality site, the Airflow metadata database (XComs
included) and its logs, and the run's terminal output. The key is looked for everywhere.
"""

from __future__ import annotations

import base64
import io
import re
import sqlite3
import subprocess
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from demo_run import PII_KEY

from xinfang.reference import SEEDS
from xinfang.synth import Manifest

pytestmark = pytest.mark.slow

_DIGITS = re.compile(r"[0-9X]{11,}")
_HANZI = re.compile(r"[\u4e00-\u9fff]{2,}")
MASKED_ID = re.compile(r"\d{4}\*{8,}[\dX]{2}")


@dataclass(frozen=True)
class Secrets:
    """The sample's personal data, as normalised text (NFKC, no white space, ``X`` upper)."""

    ids: frozenset[str]
    phones: frozenset[str]
    names: frozenset[str]

    @classmethod
    def of(cls, manifest: Manifest) -> Secrets:
        """Names that are also words of the reference data (``黄山``: a person, and a city)
        are left out: in the warehouse they are the place."""
        truth = manifest.truth("petitions")
        public = "".join(p.read_text("utf-8") for p in SEEDS.glob("*.csv"))

        def values(column: str) -> frozenset[str]:
            return frozenset(fold(v) for v in truth[column].dropna() if fold(v))

        names = frozenset(n for n in values("name") if n not in public)
        return cls(values("id_number"), values("phone"), names)

    def found(self, text: str) -> set[str]:
        """The secrets in ``text``, wherever they stand (inside longer runs too)."""
        text = fold(text)
        found: set[str] = set()
        for run in _DIGITS.findall(text):
            found |= {run[i : i + 18] for i in range(len(run) - 17)} & self.ids
            found |= {run[i : i + 11] for i in range(len(run) - 10)} & self.phones
        for run in _HANZI.findall(text):
            found |= {run[i : i + n] for n in (2, 3) for i in range(len(run) - n + 1)} & self.names
        return found


def fold(text: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", str(text))).upper()


def _sqlite_text(path: Path) -> str:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        tables = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        cells = (v for t in tables for row in con.execute(f'SELECT * FROM "{t}"') for v in row)
        return "\n".join(
            v.decode("utf-8", "ignore") if isinstance(v, bytes) else str(v) for v in cells
        )


def _duckdb_text(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        columns = con.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE data_type = 'VARCHAR'"
        ).fetchall()
        return "\n".join(
            str(v)
            for s, t, c in columns
            for (v,) in con.execute(f'SELECT DISTINCT "{c}" FROM "{s}"."{t}"').fetchall()
        )


def texts(path: Path) -> Iterator[str]:
    """What a file says: its bytes as text, and its content however it is stored."""
    data = path.read_bytes()
    yield data.decode("utf-8", "ignore")
    if data.startswith(b"%PDF"):
        yield subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
    elif data.startswith(b"PK"):  # .xlsx
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            yield from (zf.read(n).decode("utf-8", "ignore") for n in zf.namelist())
    elif data.startswith(b"SQLite format 3"):
        yield _sqlite_text(path)
    elif data[8:12] == b"DUCK":
        yield _duckdb_text(path)
    elif data.startswith(b"PAR1"):
        yield str(pq.read_table(path).to_pylist())


@pytest.fixture(scope="module")
def outputs(demo) -> dict[str, str]:
    """Every file the run wrote outside the inbox and the archived files (their text, by path
    relative to its home), and its terminal output."""
    home = demo.home
    archived = {home / "archive" / p for (p,) in demo.warehouse(
        "SELECT archive_path FROM raw.submissions WHERE archive_path <> ''"
    )}  # fmt: skip
    found = {
        str(p.relative_to(home)): "\n".join(texts(p))
        for p in sorted(home.rglob("*"))
        if p.is_file() and p not in archived and "inbox" not in p.relative_to(home).parts
    }
    found["<stdout>"], found["<stderr>"] = demo.result.stdout, demo.result.stderr
    return found


def test_the_scan_reads_every_kind_of_output(demo, outputs):
    files = set(outputs)
    assert {"warehouse.duckdb", "airflow/airflow.db", "reports/index.json"} <= files
    assert str(demo.log_file.relative_to(demo.home)) in files
    kinds = {Path(f).suffix for f in files} | {s for f in files for s in Path(f).suffixes}
    assert {".pdf", ".json", ".html", ".xlsx", ".rejection"} <= kinds
    (xcoms,) = demo.airflow("SELECT count(*) FROM xcom")[0]
    assert xcoms > 0  # the XComs are in the metadata database scanned
    # stored text is seen: a row key in the warehouse, masked ID numbers in the clerk's reports
    item = demo.manifest.truth("petitions")["item_id"].iloc[0]
    assert item in outputs["warehouse.duckdb"]
    reports = "".join(t for f, t in outputs.items() if ".rejection." in f or ".warnings." in f)
    assert MASKED_ID.search(reports)


def test_the_scan_finds_personal_data_where_it_is(demo):
    """The check itself: in the archived files, the sample's personal data is found."""
    secrets = Secrets.of(demo.manifest)
    assert secrets.ids and secrets.phones and secrets.names
    archived = demo.warehouse(
        "SELECT archive_path, encoding FROM raw.submissions "
        "WHERE outcome = 'accepted' AND ledger_kind = 'petitions'"
    )
    found = secrets.found(
        "\n".join(
            (demo.home / "archive" / p).read_bytes().decode(encoding, "ignore")
            if encoding  # a CSV
            else "\n".join(texts(demo.home / "archive" / p))
            for p, encoding in archived
        )
    )
    assert found & secrets.ids and found & secrets.phones and found & secrets.names


def test_no_names_phones_or_id_numbers_outside_the_archive(demo, outputs):
    secrets = Secrets.of(demo.manifest)
    leaks = {f: sorted(secrets.found(text))[:5] for f, text in outputs.items()}
    assert {f: found for f, found in leaks.items() if found} == {}


def test_the_pseudonymisation_key_is_nowhere(demo):
    key = PII_KEY.encode()
    forms = [key, PII_KEY.encode("utf-16-le"), key.hex().encode(), base64.b64encode(key)]
    written = {}
    for path in demo.home.rglob("*"):
        with suppress(FileNotFoundError):  # SQLite's -wal/-shm files come and go
            written[path] = path.read_bytes() if path.is_file() else b""
    assert len(written) > 100
    said = (demo.result.stdout + demo.result.stderr).encode()
    for form in forms:
        assert form not in said
        assert [str(p) for p, data in written.items() if form in data] == [], form
