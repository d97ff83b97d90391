"""The periodic sweep: the safety net under the task queue.

Every due message that nobody holds (its task was lost with a Redis restart,
its worker was killed, its retry fell due) is handed out again, and a task
is queued to probe paused integrations and watch other workers' leases; messages past
their maximum age are expired rather than sent late; old delivered messages
and their attempts are removed in small batches.
"""

from __future__ import annotations

import logging
import math
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from alertsite.i18n import account_text
from integrations.delivery import breaker, claims, heartbeat
from integrations.delivery.queue import continue_draining, enqueue_messages
from integrations.models import Message, MessageAttempt, MessageStatus

logger = logging.getLogger(__name__)

REHAND_LIMIT = 5000
PURGE_BATCH = 500
PURGE_BATCHES_PER_SWEEP = 20


def sweep() -> dict[str, int]:
    heartbeat.beat()
    return {"expired": expire(), "handed_out": hand_out(), "removed": purge()}


def expire() -> int:
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.DELIVERY_MAX_AGE_SECONDS)
    too_old = Q(expires_at__isnull=True, created_at__lt=cutoff) | Q(expires_at__lt=now)
    count = (
        Message.objects.filter(claims.unheld(now))
        .filter(too_old)
        .update(
            status=MessageStatus.EXPIRED,
            lease_owner="",
            lease_expires_at=None,
            error=account_text(gettext_lazy("Not delivered within the maximum age; not sent late.")),
            updated_at=now,
        )
    )
    if count:
        logger.warning("expired %d undelivered message(s)", count)
    return count


def hand_out() -> int:
    now = timezone.now()
    probe_at = breaker.probe_due_at()
    if (probe_at is not None and probe_at <= now) or claims.held_by_others("").exists():
        # A paused integration may probe, or a worker holds messages: a task
        # that probes, and watches the leases (taking over a dead worker's as
        # soon as they run out rather than at the next sweep).
        continue_draining()
    ids = list(
        Message.objects.filter(claims.due(timezone.now()))
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:REHAND_LIMIT]
    )
    if not ids:
        return 0
    # Each task drains whatever is due, so a few tasks are enough; the ids
    # only say where to start.
    tasks = max(1, min(settings.Q_WORKERS * 2, math.ceil(len(ids) / settings.DELIVERY_BATCH_SIZE)))
    size = math.ceil(len(ids) / tasks)
    for start in range(0, len(ids), size):
        enqueue_messages(ids[start : start + size])
    return len(ids)


def purge() -> int:
    cutoff = timezone.now() - timedelta(days=settings.DELIVERY_RETENTION_DAYS)
    removed = 0
    for _ in range(PURGE_BATCHES_PER_SWEEP):
        ids = list(
            Message.objects.filter(status=MessageStatus.DELIVERED, created_at__lt=cutoff).values_list(
                "id", flat=True
            )[:PURGE_BATCH]
        )
        if not ids:
            break
        # Small batches keep each transaction (and its locks) short.
        MessageAttempt.objects.filter(message_id__in=ids).delete()
        Message.objects.filter(depends_on_id__in=ids).update(depends_on=None)
        removed += Message.objects.filter(id__in=ids).delete()[0]
    return removed
