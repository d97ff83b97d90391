"""The circuit breaker: an integration that keeps failing is paused.

Its messages wait (the claim skips paused integrations) and none is dropped;
when the pause ends the next claim tries again, and one success closes the
breaker. Each further run of failures doubles the pause, up to a maximum.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from integrations.delivery.policy import cooldown_seconds
from integrations.models import Integration


def record_failures(integration_id: object, count: int = 1) -> datetime | None:
    """Count transient failures; return the pause end when the breaker opened."""
    Integration.objects.filter(pk=integration_id).update(
        consecutive_failures=F("consecutive_failures") + count
    )
    failures = (
        Integration.objects.filter(pk=integration_id).values_list("consecutive_failures", flat=True).first()
    )
    if failures is None or failures < settings.DELIVERY_BREAKER_THRESHOLD:
        return None
    until = timezone.now() + timedelta(seconds=cooldown_seconds(failures))
    # Never shorten a pause another worker has just set.
    Integration.objects.filter(
        Q(paused_until__isnull=True) | Q(paused_until__lt=until), pk=integration_id
    ).update(paused_until=until)
    return until


def record_success(integration_id: object) -> None:
    # Conditional, so the common case (nothing to reset) writes nothing.
    Integration.objects.filter(
        Q(consecutive_failures__gt=0) | Q(paused_until__isnull=False), pk=integration_id
    ).update(consecutive_failures=0, paused_until=None)
