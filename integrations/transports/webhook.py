"""Custom integrations (and every preset, StatusHub, an SMS gateway): send one
rendered step request. ``integrations.rendering`` renders the steps in order
(a step may capture values from its response for the later ones) and hands
each request here.

Each request carries an ``Idempotency-Key`` (the message id; with several
steps, the message id and the step's position), so a receiver can drop a
redelivery. When the integration has signing secrets it is also
signed: ``X-Alertsite-Timestamp`` and ``X-Alertsite-Signature: v1=<hex>,…``,
one HMAC-SHA256 per secret over ``"<timestamp>.<body>"``; sending one per
secret lets a receiver rotate its secret without missing a message.

The answer is classified as ``integrations.transports.http`` does for every
receiver: 2xx is success, 408, 429 and 5xx are transient, the rest permanent.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterable

import requests

from integrations.transports import http
from integrations.transports.base import Exchange, Request
from integrations.transports.outgoing import Outgoing

TIMESTAMP_HEADER = "X-Alertsite-Timestamp"
SIGNATURE_HEADER = "X-Alertsite-Signature"


def send(
    out: Outgoing,
    session: requests.Session,
    request: Request,
    *,
    exchanges: list[Exchange],
    idempotency_key: str = "",
    raw_body: list[str] | None = None,
) -> Exchange:
    """Send ``request`` for ``out`` (its redactor, timeouts, dry run), append
    its Exchange to ``exchanges`` and return it; TransportError unless 2xx.
    ``raw_body`` receives the response text before redaction (for captures)."""
    headers = dict(request.headers)
    headers.setdefault("Idempotency-Key", idempotency_key or out.message_id)
    if out.signing_secrets:
        headers.update(signature_headers(out.signing_secrets, request.body or "", int(time.time())))
    signed = Request(request.method, request.url, headers, request.body, request.auth)
    return http.send(
        session,
        signed,
        redactor=out.redactor,
        exchanges=exchanges,
        timeout=out.timeout,
        dry_run=out.dry_run,
        raw_body=raw_body,
    )


def signature_headers(secrets: Iterable[str], body: str, timestamp: int) -> dict[str, str]:
    signed = f"{timestamp}.{body}".encode()
    signatures = ",".join(
        "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest() for secret in secrets if secret
    )
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signatures}
