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


def lease_seconds() -> int:
    """A claim outlives the task that made it: django-q2 stops a task after
    Q_TIMEOUT, so once the lease runs out nobody can still be sending."""
    return settings.Q_TIMEOUT + 10


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
        return LIMITS["presets"][integration.preset]
    return LIMITS["kinds"].get(integration.kind)


def cooldown_seconds(consecutive_failures: int) -> float:
    """The pause after ``consecutive_failures``: the base cool-down, doubling
    for each further run of failures after the integration resumed."""
    threshold = settings.DELIVERY_BREAKER_THRESHOLD
    runs = max(0, (consecutive_failures - threshold) // threshold)
    return float(
        min(settings.DELIVERY_BREAKER_COOLDOWN * 2 ** min(runs, 20), settings.DELIVERY_BREAKER_MAX_COOLDOWN)
    )
