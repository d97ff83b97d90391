"""The contract every transport follows.

A transport sends plain objects and says what the answer means; it knows
nothing of ours but the HTTP session (and imports nothing of the project but
the other transports: ``tests/foundation/test_import_rules.py``). Delivery
(``integrations.delivery``) claims a message and asks
``integrations.sending.send_message`` to resolve it into plain values (an
``Outgoing``); ``integrations.rendering`` renders the integration's steps into
``Request`` objects (a step at a time, so a later step can use what an earlier
one captured), or has ``integrations.composing`` write a built-in kind's one
``Request`` (Slack, PagerDuty, Twilio) or ``Mail``, and hands each to its
transport.

- Success: a transport returns the list of ``Exchange`` records (one per HTTP
  request made, or one describing the e-mail sent).
- Failure: it raises ``TransportError``. ``permanent=True`` means retrying
  cannot help (a 4xx other than 408/429, a configuration error); otherwise
  delivery retries with backoff, no sooner than ``retry_after`` seconds when
  the receiver said so. ``exchanges`` carries the requests made before the
  failure, so the message log shows them. A vendor's own answer rules live
  in that vendor's transport module.

Every ``Exchange`` is already redacted: no secret (token, password, key, a
secret URL path or query) appears in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Credentials:
    """Username and password for the HTTP library to present: ``basic``,
    or ``digest`` / ``ntlm``, which answer the receiver's challenge."""

    scheme: str  # "basic", "digest" or "ntlm"
    username: str
    password: str


@dataclass(frozen=True)
class Request:
    """One rendered HTTP request, ready to send: nothing in it is a template."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    auth: Credentials | None = None


@dataclass(frozen=True)
class Mail:
    """One composed e-mail, ready to send: subject, plain-text part and, when
    wanted, an HTML part, in the reader's language."""

    subject: str  # one header line
    text: str
    html: str | None
    from_email: str
    to: tuple[str, ...]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Exchange:
    """One request and its response, as shown in the message log."""

    request: dict[str, Any]  # {"method", "url", "headers", "body"} with secrets redacted
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""  # an excerpt, at most 64 KB
    duration_ms: int = 0
    error: str = ""
    # A connection that failed: one line a person reads ("connection refused
    # by 127.0.0.1:8042") and the HTTP library's full text.
    summary: str = ""
    detail: str = ""


class TransportError(Exception):
    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        exchanges: list[Exchange] | None = None,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after
        self.exchanges = exchanges or []


class HostNotResolved(Exception):
    """What the HTTP session raises (or wraps) when a host name has no address
    now: the transport records "name not resolved". The session's own error
    (``integrations.outbound.UnresolvableHostError``) is one."""
