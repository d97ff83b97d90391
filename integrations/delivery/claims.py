"""Claiming due messages with a lease, and letting go of them.

A claim is a conditional UPDATE (compare-and-swap): it only takes rows that
are due and held by nobody or by an expired lease, and stamps them with a
token unique to this claim. Whatever the UPDATE changed is ours; two workers
can never both win a row. On PostgreSQL the candidates are first locked with
``FOR UPDATE SKIP LOCKED`` so concurrent claimers take different rows instead
of queueing behind each other.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from uuid import UUID

from django.db import connection, transaction
from django.db.models import F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from alertsite.i18n import account_text
from integrations.delivery.policy import lease_seconds, stale_after_seconds
from integrations.models import FINAL_STATUSES, OUTCOME_UNKNOWN, Message, MessageAttempt, MessageStatus

# Recorded in the message log, in the account's language (a worker has no reader).
TAKEN_OVER = gettext_lazy(
    "Outcome unknown: the worker stopped (killed, or lost the database) before recording the answer, "
    "and its lease ran out. The receiver may have got this request; the next attempt sends it again."
)

OPEN_STATUSES = [MessageStatus.PENDING, MessageStatus.SENDING]


def new_owner() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def unheld(now: datetime) -> Q:
    return Q(status__in=OPEN_STATUSES) & (Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now))


def ready() -> Q:
    """An Ok goes only once its Alert is final."""
    return Q(depends_on__isnull=True) | Q(depends_on__status__in=FINAL_STATUSES)


def due(now: datetime) -> Q:
    """Due, unheld, its integration's breaker closed, and (for an Ok) its Alert
    final. A paused integration's messages go only as its probe (breaker.py)."""
    return unheld(now) & Q(next_attempt_at__lte=now) & Q(integration__paused_until__isnull=True) & ready()


def claim(owner: str, *, limit: int, ids: Iterable[int] | None = None) -> list[int]:
    now = timezone.now()
    with transaction.atomic():
        candidates = Message.objects.filter(due(now))
        if ids is not None:
            candidates = candidates.filter(id__in=list(ids))
        return _take(owner, candidates.order_by("next_attempt_at", "id"), limit, now)


def claim_one_of(owner: str, integration_id: UUID) -> list[int]:
    """The breaker's probe: the integration's first waiting message, due or
    not (retries backed off during an outage are what the probe is for)."""
    now = timezone.now()
    with transaction.atomic():
        candidates = Message.objects.filter(unheld(now), ready(), integration_id=integration_id)
        return _take(owner, candidates.order_by("next_attempt_at", "id"), 1, now, where=Q(unheld(now)))


def _take(
    owner: str, candidates: QuerySet[Message], limit: int, now: datetime, where: Q | None = None
) -> list[int]:
    if connection.features.has_select_for_update_skip_locked:
        candidates = candidates.select_for_update(skip_locked=True, of=("self",))
    picked = list(candidates.values_list("id", "status")[:limit])
    if not picked:
        return []
    picked_ids = [i for i, _ in picked]
    # The same conditions again: this UPDATE is the compare-and-swap.
    Message.objects.filter(where if where is not None else due(now), id__in=picked_ids).update(
        status=MessageStatus.SENDING,
        lease_owner=owner,
        lease_expires_at=now + timedelta(seconds=lease_seconds()),
        attempt_count=F("attempt_count") + 1,
        updated_at=now,
    )
    taken = list(Message.objects.filter(id__in=picked_ids, lease_owner=owner).values_list("id", flat=True))
    taken_over = [i for i, status in picked if status == MessageStatus.SENDING and i in set(taken)]
    if taken_over:
        # The lease of a worker that stopped ran out. Count the attempts it
        # made (its claim counted one it may never have started) ...
        made = MessageAttempt.objects.filter(message_id=OuterRef("pk")).order_by().values("message_id")
        Message.objects.filter(id__in=taken_over).update(
            attempt_count=Coalesce(Subquery(made.annotate(n=Max("number")).values("n")), 0) + 1
        )
        # ... and say so on its last attempt.
        MessageAttempt.objects.filter(message_id__in=taken_over, outcome=OUTCOME_UNKNOWN).exclude(
            worker=owner[:100]
        ).update(error=account_text(TAKEN_OVER))
    return taken


def release(owner: str, ids: Iterable[int], next_attempt_at: datetime) -> int:
    """Give claimed messages back unsent (rate limit, paused integration, time
    up). The attempt the claim counted did not happen, so it is taken back."""
    return Message.objects.filter(id__in=list(ids), lease_owner=owner, status=MessageStatus.SENDING).update(
        status=MessageStatus.PENDING,
        lease_owner="",
        lease_expires_at=None,
        attempt_count=F("attempt_count") - 1,
        next_attempt_at=next_attempt_at,
        updated_at=timezone.now(),
    )


def held_by_others(owner: str) -> QuerySet[Message]:
    now = timezone.now()
    return Message.objects.filter(status=MessageStatus.SENDING, lease_expires_at__gt=now).exclude(
        lease_owner=owner
    )


def stale_lease_expiry(owner: str) -> datetime | None:
    """When the first lease that nobody renewed lately runs out (its worker is
    probably dead; the lease must still run out before anyone may take over)."""
    stale = timezone.now() - timedelta(seconds=stale_after_seconds())
    return (
        held_by_others(owner)
        .filter(updated_at__lt=stale)
        .order_by("lease_expires_at")
        .values_list("lease_expires_at", flat=True)
        .first()
    )
