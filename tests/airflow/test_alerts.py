"""Failure alerts: logged always, posted to a webhook or mailed when configured."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import SimpleNamespace

import pytest

from xinfang import alerts

CONTEXT = {
    "ti": SimpleNamespace(
        dag_id="nightly_ledgers", task_id="build", map_index=-1, run_id="scheduled__x",
        try_number=3,
    ),
    "exception": RuntimeError("dbt build failed: 2 models"),
}  # fmt: skip


@pytest.fixture
def no_channels(monkeypatch):
    for name in ("XINFANG_ALERT_WEBHOOK", "XINFANG_ALERT_EMAIL"):
        monkeypatch.delenv(name, raising=False)


def test_without_channels_the_failure_is_logged(no_channels, caplog):
    with caplog.at_level(logging.ERROR, logger="xinfang.alerts"):
        alerts.notify_failure(CONTEXT)
    assert "nightly_ledgers.build failed (scheduled__x)" in caplog.text
    assert "RuntimeError: dbt build failed: 2 models" in caplog.text


def test_webhook_receives_the_alert_as_json(no_channels, monkeypatch):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    monkeypatch.setenv("XINFANG_ALERT_WEBHOOK", f"http://127.0.0.1:{server.server_port}/hook")
    alerts.notify_failure(CONTEXT)
    thread.join(10)
    server.server_close()
    assert received == [
        {
            "text": "[xinfang] nightly_ledgers.build failed (scheduled__x)",
            "dag_id": "nightly_ledgers",
            "task_id": "build",
            "map_index": -1,
            "run_id": "scheduled__x",
            "try_number": 3,
            "error": "RuntimeError: dbt build failed: 2 models",
        }
    ]


def test_email_goes_to_every_address(no_channels, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append({"server": (host, port)})

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, message):
            sent[-1].update(
                to=message["To"], subject=message["Subject"], body=message.get_content()
            )

    monkeypatch.setattr(alerts.smtplib, "SMTP", FakeSMTP)
    monkeypatch.setenv("XINFANG_ALERT_EMAIL", "ops@example.org, duty@example.org")
    monkeypatch.setenv("XINFANG_SMTP_HOST", "mail.example.org")
    monkeypatch.setenv("XINFANG_SMTP_PORT", "2525")
    alerts.notify_failure(CONTEXT)
    assert len(sent) == 1
    assert sent[0]["server"] == ("mail.example.org", 2525)
    assert sent[0]["to"] == "ops@example.org, duty@example.org"
    assert sent[0]["subject"] == "[xinfang] nightly_ledgers.build failed (scheduled__x)"
    assert json.loads(sent[0]["body"])["try_number"] == 3


def test_an_unreachable_webhook_is_logged_not_raised(no_channels, monkeypatch, caplog):
    monkeypatch.setenv("XINFANG_ALERT_WEBHOOK", "http://127.0.0.1:9/unreachable")
    with caplog.at_level(logging.ERROR, logger="xinfang.alerts"):
        alerts.notify_failure(CONTEXT)
    assert "webhook http://127.0.0.1:9/unreachable unreachable" in caplog.text
