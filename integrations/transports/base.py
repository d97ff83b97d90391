"""The contract every transport follows.

A transport sends plain requests and says what the answer means; it knows
nothing of models, alert definitions, templates or the outbox. Delivery
(``integrations.delivery``) claims a message and asks
``integrations.sending.send_message`` to resolve it into plain values (an
``Outgoing``); ``integrations.rendering`` renders the integration's steps into
``Request`` objects (a step at a time, so a later step can use what an earlier
one captured) and hands each to the transport, or calls a built-in kind's
transport (Slack, PagerDuty, Twilio, e-mail), which builds its vendor's one
request from the ``Outgoing``'s values.

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
