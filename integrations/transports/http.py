"""One HTTP request made on behalf of a transport: send, record, classify.

2xx is success. 408, 429, 5xx, connection errors and timeouts are transient
(retry, no sooner than Retry-After). Any other status, and a URL that cannot
or may not be called, is permanent.
"""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import time
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import requests
from django.utils.translation import gettext
from requests.auth import AuthBase, HTTPDigestAuth
from requests_ntlm import HttpNtlmAuth
from urllib3.exceptions import NameResolutionError

from integrations.transports.base import Exchange, HostNotResolved, Request, TransportError
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
    raw_body: list[str] | None = None,
) -> Exchange:
    """Send one request, append its Exchange to ``exchanges`` and return it;
    raise TransportError (carrying ``exchanges``) unless the answer is 2xx.
    ``raw_body``, when given, receives the response text before redaction
    (what a step captures values from; never stored)."""
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
    # What goes on the wire: the session's own headers (User-Agent, Accept-
    # Encoding, ...), Content-Length, the Authorization that auth makes.
    try:
        prepared = session.prepare_request(
            requests.Request(method, url, headers=headers, data=data, auth=auth)
        )
    except (requests.exceptions.RequestException, ValueError):
        prepared = None  # the send below fails the same way and says why
    if prepared is not None:
        sent = sent_headers(prepared)
        if "Authorization" in shown_headers and not any(k.lower() == "authorization" for k in sent):
            # Digest and NTLM answer the receiver's challenge, so the first
            # request carries none yet: show that one is sent, masked.
            sent["Authorization"] = shown_headers["Authorization"]
        exchange.request["headers"] = redactor.headers(sent)
    if dry_run:
        return exchange

    started = time.monotonic()
    try:
        if prepared is not None:
            # Sent as prepared above: preparing it again, as Session.request
            # would, was a tenth of a delivery's CPU in a profile.
            response = session.send(prepared, timeout=timeout, allow_redirects=False, stream=True)
        else:
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
        exchange.error = redactor.text(gettext("URL refused: %(error)s") % {"error": exc})
        exchange.summary = redactor.text(connection_summary(exc, url, timeout))
        exchange.detail = exchange.error
        raise TransportError(exchange.error, permanent=True, exchanges=exchanges) from None
    except (requests.exceptions.InvalidSchema, requests.exceptions.InvalidHeader, ValueError) as exc:
        exchange.error = redactor.text(gettext("Invalid request: %(error)s") % {"error": exc})
        raise TransportError(exchange.error, permanent=True, exchanges=exchanges) from None
    except requests.exceptions.Timeout as exc:
        exchange.duration_ms = _ms(started)
        exchange.error = gettext("Timed out")
        exchange.summary = redactor.text(connection_summary(exc, url, timeout))
        exchange.detail = redactor.text(f"{type(exc).__name__}: {exc}")[:2000]
        _shown_as_sent(exchange, exc, redactor)
        raise TransportError(exchange.error, exchanges=exchanges) from None
    except requests.exceptions.RequestException as exc:
        exchange.duration_ms = _ms(started)
        exchange.error = redactor.text(connection_failed(f"{type(exc).__name__}: {exc}"))[:1000]
        exchange.summary = redactor.text(connection_summary(exc, url, timeout))
        exchange.detail = exchange.error
        _shown_as_sent(exchange, exc, redactor)
        raise TransportError(exchange.error, exchanges=exchanges) from None

    exchange.request["headers"] = redactor.headers(sent_headers(response.request))
    with response:
        excerpt = _read_excerpt(response)
    if raw_body is not None:
        raw_body.append(excerpt)
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


def sent_headers(prepared: requests.PreparedRequest) -> dict[str, str]:
    """The request's headers as sent, Host first (the HTTP library adds it
    when connecting, as the name and a port that is not the scheme's own)."""
    headers = {str(k): str(v) for k, v in (prepared.headers or {}).items()}
    host = next((v for k, v in headers.items() if k.lower() == "host"), "")
    if not host:
        parts = urlsplit(prepared.url or "")
        if parts.hostname:
            host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
            default = 443 if parts.scheme == "https" else 80
            if parts.port and parts.port != default:
                host += f":{parts.port}"
    if host:
        headers = {"Host": host, **{k: v for k, v in headers.items() if k.lower() != "host"}}
    return headers


def _shown_as_sent(exchange: Exchange, exc: requests.RequestException, redactor: Redactor) -> None:
    prepared = getattr(exc, "request", None)
    if isinstance(prepared, requests.PreparedRequest):
        exchange.request["headers"] = redactor.headers(sent_headers(prepared))


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what it wraps: requests wraps urllib3's errors, which wrap
    the operating system's."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        inner = [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
        stack.extend(e for e in inner if isinstance(e, BaseException))


def connection_failed(error: str) -> str:
    """The recorded error of a request that got no answer; the admin's message
    list finds the operating system's reason after this prefix."""
    return gettext("Connection failed: %(error)s") % {"error": error}


def _seconds(value: float) -> str:
    return f"{value:g}"


def connection_summary(exc: BaseException, url: str, timeout: tuple[float, float]) -> str:
    """One line a person reads: "connection refused by 127.0.0.1:8042",
    "timed out after 5 s connecting to hooks.example.com", "name not resolved:
    hooks.example.com". The exception's full text stays the detail."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or url
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        host, port = url, 0
    connect, read = timeout
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    pinned = getattr(getattr(exc, "request", None), "pinned", None)
    if pinned and pinned[0] != host:
        where += f" ({pinned[0]})"
    causes = list(_causes(exc))
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return gettext("timed out after %(seconds)s s connecting to %(host)s") % {
            "seconds": _seconds(connect),
            "host": host,
        }
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return gettext(
            "no answer from %(host)s within %(seconds)s s (connected, then waited for the response)"
        ) % {"host": host, "seconds": _seconds(read)}
    if any(isinstance(e, HostNotResolved | NameResolutionError | socket.gaierror) for e in causes):
        return gettext("name not resolved: %(host)s") % {"host": host}
    if any(isinstance(e, ConnectionRefusedError) for e in causes):
        return gettext("connection refused by %(address)s") % {"address": where}
    if any(isinstance(e, ConnectionResetError) for e in causes):
        return gettext("connection reset by %(address)s") % {"address": where}
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in causes):
        reason = next(e for e in causes if isinstance(e, ssl.SSLCertVerificationError))
        return gettext("TLS certificate of %(host)s not accepted: %(reason)s") % {
            "host": host,
            "reason": reason.verify_message,
        }
    if isinstance(exc, requests.exceptions.SSLError):
        return gettext("TLS handshake with %(address)s failed") % {"address": where}
    if isinstance(exc, requests.exceptions.InvalidURL):
        return str(exc)
    for e in causes:
        if isinstance(e, OSError) and e.strerror:
            return gettext("could not connect to %(address)s: %(reason)s") % {
                "address": where,
                "reason": e.strerror.lower(),
            }
    if isinstance(exc, requests.exceptions.ConnectionError):
        return gettext("connection to %(address)s failed") % {"address": where}
    return str(exc)


def send(
    session: requests.Session,
    req: Request,
    *,
    redactor: Redactor,
    exchanges: list[Exchange],
    timeout: tuple[float, float],
    dry_run: bool = False,
    raw_body: list[str] | None = None,
) -> Exchange:
    """``request`` for a rendered ``Request``."""
    auth = credentials(req.auth.scheme, req.auth.username, req.auth.password) if req.auth else None
    return request(
        session,
        req.method,
        req.url,
        redactor=redactor,
        exchanges=exchanges,
        timeout=timeout,
        headers=dict(req.headers),
        body=req.body,
        auth=auth,
        dry_run=dry_run,
        raw_body=raw_body,
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
