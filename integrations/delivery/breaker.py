"""The circuit breaker: an integration that keeps failing is paused.

Closed (``paused_until`` empty): messages go out as usual, transient failures
are counted across workers. After DELIVERY_BREAKER_THRESHOLD in a row the
breaker opens: ``paused_until`` is set (once per run of failures, by a
compare-and-swap on the empty value, so the failures still in flight from
other lanes cannot stretch it) and the integration's messages wait in the
outbox. Once the pause is over the breaker is half-open: one worker wins the
probe with a compare-and-swap on the Integration row and sends exactly one
message. A delivered probe closes the breaker and makes the integration's
waiting messages due at once (their retries were backed off during the
outage); a failed one opens it again for twice as long, up to
DELIVERY_BREAKER_MAX_COOLDOWN.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from integrations.delivery import claims
from integrations.delivery.policy import cooldown_seconds, probe_hold_seconds
from integrations.models import Integration, Message, MessageStatus


def record_failures(integration_id: UUID, count: int = 1, owner: str = "") -> datetime | None:
    """Count transient failures; return the pause end when the breaker (re)opened."""
    Integration.objects.filter(pk=integration_id).update(
        consecutive_failures=F("consecutive_failures") + count
    )
    row = (
        Integration.objects.filter(pk=integration_id)
        .values_list("consecutive_failures", "breaker_trips", "paused_until", "probe_owner")
        .first()
    )
    if row is None:
        return None
    failures, trips, paused_until, probe_owner = row
    now = timezone.now()
    until = now + timedelta(seconds=cooldown_seconds(trips + 1))
    if owner and probe_owner == owner:
        # Our probe failed: open again, for twice as long.
        cas = Q(probe_owner=owner)
    elif paused_until is None and failures >= settings.DELIVERY_BREAKER_THRESHOLD:
        cas = Q(paused_until__isnull=True)
    else:
        # Already open (another lane or worker opened it): the caller stops too.
        return paused_until if paused_until is not None and paused_until > now else None
    if Integration.objects.filter(cas, pk=integration_id, breaker_trips=trips).update(
        paused_until=until, breaker_trips=trips + 1, probe_owner=""
    ):
        return until
    current = Integration.objects.filter(pk=integration_id).values_list("paused_until", flat=True).first()
    return current if current is not None and current > now else None


def record_success(integration_id: UUID) -> None:
    # Conditional, so the common case (nothing to reset) writes nothing.
    closed = Integration.objects.filter(
        Q(consecutive_failures__gt=0) | Q(paused_until__isnull=False) | Q(breaker_trips__gt=0),
        pk=integration_id,
    ).update(consecutive_failures=0, paused_until=None, breaker_trips=0, probe_owner="")
    if closed:
        # Retries backed off during the outage need not wait any longer.
        now = timezone.now()
        Message.objects.filter(
            integration_id=integration_id, status=MessageStatus.PENDING, next_attempt_at__gt=now
        ).update(next_attempt_at=now)


def record_inconclusive(integration_id: UUID, owner: str) -> None:
    """The probe neither succeeded nor failed transiently (a permanent error
    of that message): half-open again, so the next message probes at once."""
    Integration.objects.filter(pk=integration_id, probe_owner=owner).update(
        paused_until=timezone.now(), probe_owner=""
    )


def _waiting(now: datetime) -> Exists:
    return Exists(
        Message.objects.filter(integration=OuterRef("pk")).filter(claims.unheld(now)).filter(claims.ready())
    )


def probe_due_at() -> datetime | None:
    """When the earliest paused integration with waiting messages may probe."""
    now = timezone.now()
    return (
        Integration.objects.filter(paused_until__isnull=False)
        .filter(_waiting(now))
        .order_by("paused_until")
        .values_list("paused_until", flat=True)
        .first()
    )


def take_probes(owner: str) -> list[int]:
    """Claim one message of each half-open integration (pause over, no probe
    in flight). Returns the claimed message ids."""
    now = timezone.now()
    ready = list(Integration.objects.filter(paused_until__lte=now).filter(_waiting(now)))
    taken: list[int] = []
    for integration in ready:
        hold = now + timedelta(seconds=probe_hold_seconds(integration))
        # The compare-and-swap: whoever moves paused_until into the future owns the probe.
        won = Integration.objects.filter(pk=integration.pk, paused_until__lte=now).update(
            paused_until=hold, probe_owner=owner
        )
        if not won:
            continue
        ids = claims.claim_one_of(owner, integration.pk)
        if ids:
            taken += ids
        else:
            Integration.objects.filter(pk=integration.pk, probe_owner=owner).update(
                paused_until=now, probe_owner=""
            )
    return taken


def next_due_at() -> datetime | None:
    """When the earliest waiting message falls due, or a paused integration
    may probe. An Ok still waiting for its Alert is left out: it becomes due
    when the Alert is final, and whoever finishes the Alert hands the Ok out
    (see outcome.save)."""
    now = timezone.now()
    at = (
        Message.objects.filter(claims.unheld(now), claims.ready(), integration__paused_until__isnull=True)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    probe_at = probe_due_at()
    times = [t for t in (at, probe_at) if t is not None]
    return min(times) if times else None
