"""The sample generator's inbox through ingestion: what its manifest says is what loads."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections import Counter
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from xinfang.schema import LEDGERS
from xinfang.synth import Manifest, generate

from .builders import ingest, query, settings_at

KEY = b"test-only-pseudonymisation-key"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    settings = settings_at(root)
    manifest = generate(
        settings.inbox, root / "manifest", units=["410883", "410822"], months=3, snapshots=2,
        jobs=1,
    )  # fmt: skip
    results = ingest(settings)
    return settings, manifest, results


def stored_runs(data: bytes) -> set[str]:
    """Every run of letters and digits in the file's bytes read as UTF-8 (where a stored
    name, phone or ID number would be, whole)."""
    return set(re.findall(r"\w{2,}", data.decode("utf-8", "ignore")))


def truth(manifest: Manifest, kind: str) -> list[dict]:
    return pq.read_table(Path(manifest.directory) / f"truth_{kind}.parquet").to_pylist()


def test_every_file_gets_its_expected_outcome(loaded):
    _, manifest, results = loaded
    got = {f"{r.parsed.unit_code}/{r.parsed.file_name}": r.parsed.outcome for r in results}
    assert got == {f.path: f.expected for f in manifest.files}
    assert all(r.loaded and r.failure is None for r in results)


def test_faults_are_reported_where_they_are(loaded):
    _, manifest, results = loaded
    by_path = {f"{r.parsed.unit_code}/{r.parsed.file_name}": r.parsed for r in results}
    faults = [f for f in manifest.bad if f.fault]
    assert faults
    for f in faults:
        first = next(m for m in by_path[f.path].messages if m.severity == "error")
        assert (first.rule, first.source_row, first.column_header) == (
            f.fault.rule, f.fault.row, f.fault.column,
        ), f.path  # fmt: skip
        if first.rule != "cell.formula":
            assert first.value == f.fault.value


def test_row_counts_per_unit_and_ledger(loaded):
    settings, manifest, _ = loaded
    expected = Counter()
    for f in manifest.good:
        expected[(f.unit_code, f.ledger)] += f.rows
    for kind in LEDGERS:
        counts = query(settings, f"SELECT unit_code, count(*) FROM raw.{kind} GROUP BY 1")
        assert {(u, kind): n for u, n in counts} == {
            k: n for k, n in expected.items() if k[1] == kind
        }


def _person_key(written: str | None) -> str | None:
    text = re.sub(r"\s", "", unicodedata.normalize("NFKC", written or "")).upper()
    return hmac.new(KEY, text.encode(), hashlib.sha256).hexdigest() if text else None


@pytest.mark.parametrize("kind", list(LEDGERS))
def test_loaded_values_are_the_truth(loaded, kind):
    settings, manifest, _ = loaded
    ledger = LEDGERS[kind]
    stored = [f for f in ledger.fields if f.stored and f.kind != "pii_id"]
    columns = [f.name for f in stored] + ["category_l1"]
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    rows = (
        con.sql(
            f"SELECT s.unit_code || '/' || s.file_name AS file, r.* "
            f"FROM raw.{kind} r JOIN raw.submissions s USING (submission_id)"
        )
        .to_arrow_table()
        .to_pylist()
    )
    con.close()
    got = {(r["file"], r["source_row"]): r for r in rows}
    expected = truth(manifest, kind)
    assert len(got) == len(expected)
    for t in expected:
        row = got[(t["file"], t["source_row"])]
        assert {c: row[c] for c in columns} == {c: t[c] for c in columns}, (
            t["file"],
            t["source_row"],
        )
        if kind == "petitions":
            assert row["person_key"] == (_person_key(t["id_number"]) if t["id_valid"] else None)


def test_no_personal_data_from_the_manifest_in_the_warehouse(loaded):
    settings, manifest, _ = loaded
    con = duckdb.connect(str(settings.warehouse))
    con.execute("CHECKPOINT")
    con.close()
    runs = stored_runs(settings.warehouse.read_bytes())
    petitions = truth(manifest, "petitions")
    assert any(petitions[0]["item_id"] in run for run in runs)  # the scan sees stored text
    secrets = {v for t in petitions for v in (t["name"], t["phone"], t["id_number"]) if v}
    assert secrets
    assert [s for s in secrets if any(s in run for run in runs)] == []


def test_second_run_changes_nothing(loaded):
    settings, _, _ = loaded
    tables = ("submissions", "submission_messages", "petitions", "risks", "backlog")
    before = {t: query(settings, f"SELECT count(*) FROM raw.{t}") for t in tables}
    assert ingest(settings) == []
    assert {t: query(settings, f"SELECT count(*) FROM raw.{t}") for t in tables} == before
