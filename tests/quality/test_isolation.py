"""GX stays out of module imports, out of the logs and off the network."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys

import duckdb

from xinfang.quality import audit
from xinfang.quality.docs import build_data_docs
from xinfang.quality.gate import validate

from .builders import petitions, submission

_IMPORTS = (
    "import sys, xinfang.quality, xinfang.quality.cli, xinfang.pipeline; "
    "print('great_expectations' in sys.modules)"
)


def test_importing_the_gate_does_not_import_gx():
    done = subprocess.run([sys.executable, "-c", _IMPORTS], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False"


def test_validation_and_data_docs_need_no_network(monkeypatch, tmp_path):
    def refuse(*args, **kwargs):
        raise OSError("the quality gate used the network")

    for name in ("connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    result = validate(petitions(), submission())
    con = duckdb.connect()
    audit.record(con, result)
    assert build_data_docs(con, tmp_path / "site").exists()


def test_gx_says_nothing_in_the_logs(caplog):
    caplog.set_level(logging.DEBUG)
    validate(petitions(), submission())
    assert [r for r in caplog.records if r.name.startswith("great_expectations")] == []
