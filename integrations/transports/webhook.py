"""Custom integrations (and every preset): run the step that handles the
alert type, with its templated method, URL, headers, body and authentication.

Each request carries an ``Idempotency-Key`` (the message id), so a receiver
can drop a redelivery. When the integration has signing secrets it is also
signed: ``X-Alertsite-Timestamp`` and ``X-Alertsite-Signature: v1=<hex>,…``,
one HMAC-SHA256 per secret over ``"<timestamp>.<body>"``; sending one per
secret lets a receiver rotate its secret without missing a message.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

import requests

from integrations.templating import render, render_url
from integrations.transports import http
from integrations.transports.base import Exchange
from integrations.transports.outgoing import Outgoing

if TYPE_CHECKING:
    from integrations.models import IntegrationStep

TIMESTAMP_HEADER = "X-Alertsite-Timestamp"
SIGNATURE_HEADER = "X-Alertsite-Signature"
HANDLES = {
    "Alert": "handles_alert",
    "Ok": "handles_ok",
    "Reminder": "handles_reminder",
    "Acknowledged": "handles_acknowledged",
}


def notify(out: Outgoing, session: requests.Session) -> list[Exchange]:
    step = step_for(out.integration.steps.all(), out.alert_type)
    if step is None:
        return []  # no step handles this type: there is nothing to send
    return run_step(step, out, session)


def step_for(steps: Iterable[IntegrationStep], alert_type: str) -> IntegrationStep | None:
    flag = HANDLES.get(alert_type)
    for step in sorted(steps, key=lambda s: s.position):
        if flag and getattr(step, flag):
            return step
    return None


def run_step(
    step: IntegrationStep,
    out: Outgoing,
    session: requests.Session,
    *,
    extra_context: dict[str, str] | None = None,
    exchanges: list[Exchange] | None = None,
) -> list[Exchange]:
    context = {**out.context, **(extra_context or {})}
    functions = out.functions
    url = render_url(step.url, context, functions=functions)
    headers: dict[str, str] = {}
    for pair in step.headers or []:
        name, value = str(pair[0]).strip(), render(str(pair[1]), context, functions=functions)
        if name:
            # A value spanning lines would be refused by the HTTP library.
            headers[name] = " ".join(value.splitlines()).strip()
    body = render(step.body, context, functions=functions) if step.body and step.method != "GET" else ""
    if body and step.content_type and not _has(headers, "Content-Type"):
        headers["Content-Type"] = step.content_type

    # Credentials that render empty (an optional token left blank) send no
    # Authorization header rather than an invalid one.
    auth: http.Auth | None = None
    if step.auth_type in ("basic", "digest", "ntlm"):
        username = render(step.auth_username, context, functions=functions)
        password = render(step.auth_password, context, functions=functions)
        out.redactor.add(password)
        if username or password:
            auth = http.credentials(step.auth_type, username, password)
    elif step.auth_type == "bearer":
        token = render(step.auth_token, context, functions=functions).strip()
        out.redactor.add(token)
        if token:
            headers["Authorization"] = f"Bearer {token}"

    headers.setdefault("Idempotency-Key", out.message_id)
    secrets = out.integration.signing_secrets or []
    if secrets:
        headers.update(signature_headers(secrets, body, int(time.time())))
    log = exchanges if exchanges is not None else []
    http.request(
        session,
        step.method,
        url,
        redactor=out.redactor,
        exchanges=log,
        timeout=out.timeout,
        headers=headers,
        body=body or None,
        auth=auth,
        dry_run=out.dry_run,
    )
    return log


def signature_headers(secrets: list[str], body: str, timestamp: int) -> dict[str, str]:
    signed = f"{timestamp}.{body}".encode()
    signatures = ",".join(
        "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest() for secret in secrets if secret
    )
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signatures}


def _has(headers: dict[str, str], name: str) -> bool:
    return any(key.lower() == name.lower() for key in headers)
