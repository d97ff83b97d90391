"""The contract every transport follows.

A transport sends one rendered message and knows nothing of alert definitions,
operators or the outbox: delivery (``integrations.delivery``) claims a message,
asks ``integrations.sending.send_message`` to render it and call the transport
for its kind, and records what came back.

- Success: ``notify`` returns the list of ``Exchange`` records (one per HTTP
  request made, or one describing the e-mail sent).
- Failure: ``notify`` raises ``TransportError``. ``permanent=True`` means
  retrying cannot help (a 4xx other than 408/429, a template or configuration
  error); otherwise delivery retries with backoff, no sooner than
  ``retry_after`` seconds when the receiver said so. ``exchanges`` carries the
  requests made before the failure, so the message log shows them.

Every ``Exchange`` is already redacted: no secret (token, password, key, a
secret URL path or query) appears in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
