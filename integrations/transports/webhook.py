"""Custom integrations (and every preset): run the steps that handle the
alert type, in order, each with its templated method, URL, headers, body and
authentication; a step may capture values from its response for the later
steps (``integrations.captures``).

Each request carries an ``Idempotency-Key`` (the message id; with several
steps, the message id and the step's position), so a receiver can drop a
redelivery. When the integration has signing secrets it is also
signed: ``X-Alertsite-Timestamp`` and ``X-Alertsite-Signature: v1=<hex>,…``,
one HMAC-SHA256 per secret over ``"<timestamp>.<body>"``; sending one per
secret lets a receiver rotate its secret without missing a message.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import TYPE_CHECKING

import requests

from integrations.captures import NotFound, chain_for, parse_captures, placeholder, redact_values, take
from integrations.templating import render, render_url
from integrations.transports import http
from integrations.transports.base import Exchange, TransportError
from integrations.transports.outgoing import Outgoing
from integrations.transports.redact import Redactor

if TYPE_CHECKING:
    from integrations.models import IntegrationStep

TIMESTAMP_HEADER = "X-Alertsite-Timestamp"
SIGNATURE_HEADER = "X-Alertsite-Signature"


def notify(out: Outgoing, session: requests.Session) -> list[Exchange]:
    chain = chain_for(out.steps, out.alert_type)
    if not chain:
        return []  # no step handles this type: there is nothing to send
    return run_chain(chain, out, session)


def run_chain(
    chain: list[IntegrationStep],
    out: Outgoing,
    session: requests.Session,
    *,
    extra_context: dict[str, str] | None = None,
    exchanges: list[Exchange] | None = None,
) -> list[Exchange]:
    """Run a message's steps in order. Each is rendered with the message's
    context plus what earlier steps captured; a required capture that finds
    nothing stops the message with a permanent error naming step and capture.

    A retry runs the whole chain again from the first step (tokens and
    lookups are fresh); each step's ``Idempotency-Key`` is the same on every
    retry, so a receiver that honours it drops a repeated side effect.
    """
    log = exchanges if exchanges is not None else []
    captured: dict[str, str] = {}
    several = len(chain) > 1
    for step in chain:
        definitions = parse_captures(step.captures)
        raw: list[str] = []
        key = f"{out.message_id}-{step.position}" if several else out.message_id
        run_step(
            step,
            out,
            session,
            extra_context={**(extra_context or {}), **captured},
            exchanges=log,
            idempotency_key=key,
            raw_body=raw if definitions else None,
        )
        if not definitions:
            continue
        if out.dry_run:
            # Nothing was sent, so nothing can be captured: later steps show the placeholder.
            captured.update({c.name: placeholder(c.name) for c in definitions})
            continue
        try:
            values = take(step_label(step), definitions, raw[0] if raw else "")
        except NotFound as exc:
            log[-1].error = str(exc)
            raise TransportError(str(exc), permanent=True, exchanges=log) from None
        # Secret captures are hidden from everything recorded, this step's response included.
        secrets = redact_values(values, definitions)
        if secrets:
            for secret in secrets:
                out.redactor.add(secret)
            redact_exchanges(log, out.redactor)
        captured.update(values)
    return log


def step_label(step: IntegrationStep) -> str:
    return f"step {step.position} ({step.name})" if step.name else f"step {step.position}"


def redact_exchanges(exchanges: list[Exchange], redactor: Redactor) -> None:
    """Apply the redactor again to what is already recorded (after a secret
    was captured from a response)."""
    for exchange in exchanges:
        request = dict(exchange.request)
        if "url" in request:
            request["url"] = redactor.url(str(request["url"]))
        if isinstance(request.get("headers"), dict):
            request["headers"] = redactor.headers(request["headers"])
        if "body" in request:
            request["body"] = redactor.text(str(request["body"]))
        exchange.request = request
        exchange.headers = {name: redactor.text(value) for name, value in exchange.headers.items()}
        exchange.body = redactor.text(exchange.body)
        exchange.error = redactor.text(exchange.error)


def run_step(
    step: IntegrationStep,
    out: Outgoing,
    session: requests.Session,
    *,
    extra_context: dict[str, str] | None = None,
    exchanges: list[Exchange] | None = None,
    idempotency_key: str = "",
    raw_body: list[str] | None = None,
) -> list[Exchange]:
    """Render one step with the message's context (plus ``extra_context``:
    captures so far, a StatusHub service) and send it."""
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

    headers.setdefault("Idempotency-Key", idempotency_key or out.message_id)
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
        raw_body=raw_body,
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
