"""Skip the per-request database health check for a connection that served a
request without error a moment ago.

With persistent connections (``DATABASE_CONN_MAX_AGE`` above 0) Django's
``CONN_HEALTH_CHECKS`` sends ``SELECT 1`` before the first query of every
request. Under load that round trip is a sixth of an ingest request's time
spent waiting on the database, and it proves little about a connection that
answered a few milliseconds ago. So a connection that ran the previous request's
queries without a database error less than ``FRESH_SECONDS`` ago is trusted;
one idle for longer, or that saw an error, is checked as before. (The check
itself never closed the window: the server may go away just after it too.)
"""

from __future__ import annotations

import time
from typing import Any

from django.core import signals
from django.db import close_old_connections, connections

FRESH_SECONDS = 1.0
_ATTRIBUTE = "_alertsite_healthy_at"
_NOTE, _TRUST = "alertsite-db-health-note", "alertsite-db-health-trust"


def _note_healthy(**kwargs: Any) -> None:
    # Runs before Django's close_old_connections, which resets the flags read here.
    now = time.monotonic()
    for conn in connections.all(initialized_only=True):
        # health_check_done: this request checked the connection and went on
        # to use it; errors_occurred: a database error since (not a DataError
        # or IntegrityError, which say nothing about the connection).
        used_well = conn.connection is not None and conn.health_check_done and not conn.errors_occurred
        setattr(conn, _ATTRIBUTE, now if used_well else None)


def _trust_if_fresh(**kwargs: Any) -> None:
    # Runs after Django's close_old_connections has reset health_check_done.
    now = time.monotonic()
    for conn in connections.all(initialized_only=True):
        healthy_at = getattr(conn, _ATTRIBUTE, None)
        if conn.connection is not None and healthy_at is not None and now - healthy_at < FRESH_SECONDS:
            conn.health_check_done = True


def install() -> None:
    """Put the two receivers around Django's own: ours first when a request
    finishes, last when one starts. Idempotent; calling it again restores that
    order (Django's test client moves Django's receiver around)."""
    signals.request_finished.disconnect(dispatch_uid=_NOTE)
    signals.request_started.disconnect(dispatch_uid=_TRUST)
    for signal in (signals.request_finished, signals.request_started):
        signal.disconnect(close_old_connections)
    signals.request_finished.connect(_note_healthy, dispatch_uid=_NOTE)
    signals.request_finished.connect(close_old_connections)
    signals.request_started.connect(close_old_connections)
    signals.request_started.connect(_trust_if_fresh, dispatch_uid=_TRUST)
