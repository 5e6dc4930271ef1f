"""Failure alerts for the scheduled runs: always logged, and sent where the operator says.

``XINFANG_ALERT_WEBHOOK``: a URL that receives the alert as a JSON POST (a chat robot, a
monitoring system). ``XINFANG_ALERT_EMAIL``: comma-separated addresses, sent through
``XINFANG_SMTP_HOST`` (port ``XINFANG_SMTP_PORT``, default 25; sender ``XINFANG_SMTP_FROM``).
Neither set (the demo): the alert is only logged. A failing channel is logged, never raised: an
alert must not hide the failure it reports.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import urllib.request
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

log = logging.getLogger(__name__)


def failure_alert(context: Mapping[str, Any]) -> dict[str, Any]:
    """The facts an operator needs, from an Airflow task context."""
    ti = context["ti"]
    exception = context.get("exception")
    return {
        "dag_id": ti.dag_id,
        "task_id": ti.task_id,
        "map_index": ti.map_index,
        "run_id": ti.run_id,
        "try_number": ti.try_number,
        "error": f"{type(exception).__name__}: {exception}" if exception else None,
    }


def _subject(alert: Mapping[str, Any]) -> str:
    return f"[xinfang] {alert['dag_id']}.{alert['task_id']} failed ({alert['run_id']})"


def _post_webhook(url: str, alert: Mapping[str, Any]) -> None:
    body = json.dumps({"text": _subject(alert), **alert}, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def _send_email(recipients: list[str], alert: Mapping[str, Any]) -> None:
    message = EmailMessage()
    message["Subject"] = _subject(alert)
    message["From"] = os.environ.get("XINFANG_SMTP_FROM", "xinfang@localhost")
    message["To"] = ", ".join(recipients)
    message.set_content(json.dumps(alert, ensure_ascii=False, indent=2))
    host = os.environ.get("XINFANG_SMTP_HOST", "localhost")
    port = int(os.environ.get("XINFANG_SMTP_PORT", "25"))
    with smtplib.SMTP(host, port, timeout=10) as smtp:
        smtp.send_message(message)


def notify_failure(context: Mapping[str, Any]) -> None:
    """Airflow ``on_failure_callback``: log the failure, then alert the configured channels."""
    alert = failure_alert(context)
    log.error("%s: %s", _subject(alert), alert["error"])
    webhook = os.environ.get("XINFANG_ALERT_WEBHOOK")
    if webhook:
        try:
            _post_webhook(webhook, alert)
        except OSError:
            log.exception("failure alert: webhook %s unreachable", webhook)
    recipients = [a.strip() for a in os.environ.get("XINFANG_ALERT_EMAIL", "").split(",")]
    recipients = [a for a in recipients if a]
    if recipients:
        try:
            _send_email(recipients, alert)
        except (OSError, smtplib.SMTPException):
            log.exception("failure alert: e-mail to %s failed", recipients)
