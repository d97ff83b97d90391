"""A worker's sign of life, for /healthz/delivery and the dashboard.

A row in the database (``alerting.WorkerHeartbeat``), not a cache entry: the
database is what a worker needs to work at all, so the heartbeat says exactly
"a worker ran lately", and it stays readable while Redis is down (a broker
outage is reported as such, not as a missing worker).
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from django.db import DatabaseError, transaction
from django.utils import timezone

from alerting.models import WorkerHeartbeat
from alertsite.outage import Outage

logger = logging.getLogger(__name__)

KEY = "delivery"
# A worker writes at most this often; far below HEALTHZ_WORKER_MAX_AGE.
EVERY_SECONDS = 5
_last_written = 0.0
_outage = Outage(logger, "delivery heartbeat (database)", "the worker's heartbeat is not recorded")


def beat() -> None:
    global _last_written
    if time.monotonic() - _last_written < EVERY_SECONDS:
        return
    try:
        record(timezone.now())
    except DatabaseError as exc:
        _outage.failed(exc)
        return
    _outage.succeeded()
    _last_written = time.monotonic()


def record(seen_at: datetime, name: str = KEY) -> None:
    """Upsert the heartbeat (one statement; its own savepoint inside a caller's transaction)."""
    with transaction.atomic():
        WorkerHeartbeat.objects.bulk_create(
            [WorkerHeartbeat(name=name, seen_at=seen_at)],
            update_conflicts=True,
            unique_fields=["name"],
            update_fields=["seen_at"],
        )


def forget(name: str = KEY) -> None:
    WorkerHeartbeat.objects.filter(name=name).delete()


def seconds_since_seen(name: str = KEY) -> float | None:
    """Seconds since a worker was last seen; None when never (or unreadable)."""
    try:
        seen = WorkerHeartbeat.objects.filter(name=name).values_list("seen_at", flat=True).first()
    except DatabaseError:
        return None
    return None if seen is None else max(0.0, (timezone.now() - seen).total_seconds())
