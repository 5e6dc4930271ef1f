"""The pseudonymisation key stays in the environment: never printed, logged or written down."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging

import pyarrow.parquet as pq

from xinfang.cli import main

from .builders import query, settings_at

KEY = "canary-pii-key-7f3a9c5e"  # recognisable wherever it would turn up


def forms(key: str) -> list[bytes]:
    """The key as it could be written: as is, UTF-16 (a Windows tool), hex, base64."""
    raw = key.encode()
    return [raw, key.encode("utf-16-le"), raw.hex().encode(), base64.b64encode(raw)]


def test_the_key_is_never_written(tmp_path, monkeypatch, capfd, caplog):
    home = tmp_path / "var"
    monkeypatch.setenv("XINFANG_HOME", str(home))
    monkeypatch.setenv("XINFANG_REPORTS", str(tmp_path / "reports"))
    monkeypatch.setenv("XINFANG_PII_KEY", KEY)
    caplog.set_level(logging.DEBUG)  # every record of every logger
    synth = ["synth", "--units", "410883", "--months", "1", "--snapshots", "1", "--jobs", "1"]
    assert main([*synth, "--manifest", str(home / "synth")]) == 0
    (home / "inbox" / "说明.txt").write_text("not a unit folder: ingestion logs a warning")
    assert main(["ingest", "--workers", "1"]) == 0  # parsing in this process: its log records

    # the key was used: the warehouse's pseudonyms are HMACs under it
    truth = pq.read_table(home / "synth" / "truth_petitions.parquet").to_pylist()
    expected = {
        hmac.new(KEY.encode(), t["id_number"].encode(), hashlib.sha256).hexdigest()
        for t in truth
        if t["id_valid"]
    }
    stored = query(settings_at(home), "SELECT DISTINCT person_key FROM raw.petitions")
    assert expected and expected <= {k for (k,) in stored}

    out, err = capfd.readouterr()
    told = (out + err + caplog.text).encode()
    assert out and "xinfang.ingest.discovery" in {r.name for r in caplog.records}  # it was said
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix == ".duckdb" for p in files) and any("archive" in p.parts for p in files)
    for form in forms(KEY):
        assert form not in told
        assert [p for p in files if form in p.read_bytes()] == [], form
