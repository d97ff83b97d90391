"""Numbers that decide when to try again: backoff, leases, rate limits, cool-downs."""

from __future__ import annotations

import json
import random
from pathlib import Path

from django.conf import settings

from integrations.models import Integration

# The receivers' documented limits (requests per minute), kept as data.
LIMITS = json.loads((Path(__file__).with_name("limits.json")).read_text())


# Jitter spreads retries of a burst of failures so they do not return as a burst.
JITTER = 0.2


def max_attempts() -> int:
    return len(settings.DELIVERY_RETRY_SCHEDULE) + 1


def backoff_seconds(attempt: int, retry_after: float | None = None) -> float | None:
    """Seconds to wait after failed attempt number ``attempt`` (1-based), or
    None when that was the last attempt allowed."""
    schedule = settings.DELIVERY_RETRY_SCHEDULE
    if attempt > len(schedule):
        return None
    base = float(schedule[attempt - 1])
    delay = base * random.uniform(1 - JITTER, 1 + JITTER)
    if retry_after is not None and retry_after > delay:
        # The receiver said when; jitter only ever adds to that.
        delay = retry_after + base * random.uniform(0, JITTER)
    return delay


def lease_seconds() -> float:
    """How long a claim holds a message without being renewed.

    Short, so that a dead worker's messages are taken over soon; a live task
    renews its claims every renew_seconds() (integrations.delivery.leases). It
    is at least one default request's timeouts plus a renewal interval, so a
    request started on a confirmed lease ends before that lease could run out
    even if no renewal succeeds meanwhile (a longer request renews its own
    message first). django-q2 stops a task after Q_TIMEOUT by killing its
    process, which stops the renewals too.
    """
    base = float(getattr(settings, "DELIVERY_LEASE_SECONDS", 20))
    default_request = settings.DELIVERY_CONNECT_TIMEOUT + settings.DELIVERY_READ_TIMEOUT
    return max(base, default_request + renew_seconds() + 2)


def renew_seconds() -> float:
    return max(1.0, float(getattr(settings, "DELIVERY_LEASE_SECONDS", 20)) / 4)


def stale_after_seconds() -> float:
    """A held message not renewed for this long has probably lost its worker."""
    return renew_seconds() + 3


def request_timeouts(integration: Integration) -> tuple[float, float]:
    # Validators cap these at 30 s + 60 s; Q_TIMEOUT (the task's limit) is
    # checked against them in settings, and a lane starts no request that
    # could outlive its task.
    connect = integration.connect_timeout or settings.DELIVERY_CONNECT_TIMEOUT
    read = integration.read_timeout or settings.DELIVERY_READ_TIMEOUT
    return connect, read


def rate_per_minute(integration: Integration) -> int | None:
    if integration.rate_limit_per_minute:
        return integration.rate_limit_per_minute
    if integration.preset and integration.preset in LIMITS["presets"]:
        return int(LIMITS["presets"][integration.preset])
    limit = LIMITS["kinds"].get(integration.kind)
    return int(limit) if limit is not None else None


def cooldown_seconds(trips: int) -> float:
    """The pause after the breaker opened ``trips`` times in a row without a
    success in between: the base cool-down, doubling per run of failures
    (not per failed message), up to the maximum."""
    runs = max(0, trips - 1)
    return float(
        min(settings.DELIVERY_BREAKER_COOLDOWN * 2 ** min(runs, 20), settings.DELIVERY_BREAKER_MAX_COOLDOWN)
    )


def probe_hold_seconds(integration: Integration) -> float:
    """How long a half-open integration waits for its probe's answer before
    another worker may probe (its worker may have died)."""
    connect, read = request_timeouts(integration)
    return max(lease_seconds(), connect + read + 5)
