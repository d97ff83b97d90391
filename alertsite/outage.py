"""One process's view of a dependency that may be down (Redis, the broker).

While it is down every request would otherwise try it again, wait for the
connection to be refused (or to time out) and log a traceback; instead its
first failure is logged once, for a short back-off nobody tries it, and its
recovery is logged once.
"""

from __future__ import annotations

import logging
import threading
import time


class Outage:
    def __init__(
        self, logger: logging.Logger, what: str, consequence: str, retry_seconds: float = 1.0
    ) -> None:
        self.logger = logger
        self.what = what
        self.consequence = consequence
        self.retry_seconds = retry_seconds
        self.down_since: float | None = None
        self._retry_at = 0.0
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def backing_off(self) -> bool:
        """True while the last failure is too recent to try again."""
        return self.down_since is not None and time.monotonic() < self._retry_at

    def failed(self, exc: BaseException) -> None:
        with self._lock:
            now = time.monotonic()
            self._retry_at = now + self.retry_seconds
            if self.down_since is not None:
                return
            self.down_since = now
        # The exception's type and text, not a traceback per request: the
        # cause is the same for every one until it is back.
        self.logger.warning(
            "%s unreachable (%s: %s); %s until it is back",
            self.what,
            type(exc).__name__,
            exc,
            self.consequence,
        )

    def succeeded(self) -> bool:
        """Note a success; True for the first one after an outage."""
        if self.down_since is None:  # the usual case: no lock taken
            return False
        with self._lock:
            if self.down_since is None:
                return False
            lasted = time.monotonic() - self.down_since
            self.down_since = None
        self.logger.warning("%s reachable again after %.1f s", self.what, lasted)
        return True
