"""One HTTP request made on behalf of a transport: send, record, classify.

2xx is success. 408, 429, 5xx, connection errors and timeouts are transient
(retry, no sooner than Retry-After). Any other status, and a URL that cannot
or may not be called, is permanent.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from requests.auth import AuthBase, HTTPDigestAuth
from requests_ntlm import HttpNtlmAuth

from integrations.transports.base import Exchange, TransportError
from integrations.transports.redact import MASK, Redactor

MAX_EXCERPT_BYTES = 64 * 1024
# Basic credentials as a (username, password) pair, or an auth handler (Digest).
Auth = tuple[str, str] | AuthBase
TRANSIENT_STATUSES = {408, 429}


def request(
    session: requests.Session,
    method: str,
    url: str,
    *,
    redactor: Redactor,
    exchanges: list[Exchange],
    timeout: tuple[float, float],
    headers: dict[str, str] | None = None,
    body: str | bytes | None = None,
    auth: Auth | None = None,
    dry_run: bool = False,
) -> Exchange:
    """Send one request, append its Exchange to ``exchanges`` and return it;
    raise TransportError (carrying ``exchanges``) unless the answer is 2xx."""
    headers = dict(headers or {})
    data = body.encode("utf-8") if isinstance(body, str) else body
    shown_body = data.decode("utf-8", "replace") if data else ""
    shown_headers = dict(headers)
    if isinstance(auth, HTTPDigestAuth | HttpNtlmAuth):
        # The answer is made after the receiver's challenge; the log shows
        # that it was sent, never its values.
        shown_headers["Authorization"] = f"{'Digest' if isinstance(auth, HTTPDigestAuth) else 'NTLM'} {MASK}"
    elif auth:
        shown_headers["Authorization"] = f"Basic {MASK}"
    exchange = Exchange(
        request={
            "method": method,
            "url": redactor.url(url),
            "headers": redactor.headers(shown_headers),
            "body": redactor.text(shown_body[:MAX_EXCERPT_BYTES]),
        }
    )
    exchanges.append(exchange)
    if dry_run:
        return exchange

    started = time.monotonic()
    try:
        response = session.request(
            method,
            url,
            headers=headers,
            data=data,
            auth=auth,
            timeout=timeout,
            allow_redirects=False,
            stream=True,
        )
    except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema) as exc:
        exchange.error = redactor.text(f"URL refused: {exc}")
        raise TransportError(exchange.error, permanent=True, exchanges=exchanges) from None
    except (requests.exceptions.InvalidSchema, requests.exceptions.InvalidHeader, ValueError) as exc:
        exchange.error = redactor.text(f"Invalid request: {exc}")
        raise TransportError(exchange.error, permanent=True, exchanges=exchanges) from None
    except requests.exceptions.Timeout:
        exchange.duration_ms = _ms(started)
        exchange.error = "Timed out"
        raise TransportError("Timed out", exchanges=exchanges) from None
    except requests.exceptions.RequestException as exc:
        exchange.duration_ms = _ms(started)
        exchange.error = redactor.text(f"Connection failed: {type(exc).__name__}: {exc}")[:1000]
        raise TransportError(exchange.error, exchanges=exchanges) from None

    with response:
        excerpt = _read_excerpt(response)
    exchange.duration_ms = _ms(started)
    exchange.status = response.status_code
    exchange.headers = {k: redactor.text(v) for k, v in response.headers.items()}
    exchange.body = redactor.text(excerpt)
    status = response.status_code
    if 200 <= status < 300:
        return exchange
    reason = f"HTTP {status}: {exchange.body[:300]}".strip()
    exchange.error = reason
    transient = status in TRANSIENT_STATUSES or status >= 500
    raise TransportError(
        reason,
        permanent=not transient,
        retry_after=retry_after_seconds(response.headers.get("Retry-After")) if transient else None,
        exchanges=exchanges,
    )


def credentials(auth_type: str, username: str, password: str) -> Auth:
    """What ``request`` takes as ``auth`` for a step's authentication type.

    Digest (RFC 7616) and NTLM answer the receiver's challenge (a 401 with
    ``WWW-Authenticate: Digest …`` or ``NTLM``) with further requests on the
    same connection; NTLM takes ``DOMAIN\\user`` (or ``user@domain``).
    """
    if auth_type == "digest":
        return HTTPDigestAuth(username, password)
    if auth_type == "ntlm":
        return HttpNtlmAuth(username, password)
    return (username, password)


def _read_excerpt(response: requests.Response) -> str:
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(chunk_size=16384):
            chunks.append(chunk)
            size += len(chunk)
            if size >= MAX_EXCERPT_BYTES:
                break
    except requests.exceptions.RequestException:
        pass  # the status is what counts; a body cut short is still shown
    raw = b"".join(chunks)[:MAX_EXCERPT_BYTES]
    return raw.decode(response.encoding or "utf-8", "replace")


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP-date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def json_body(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False)
