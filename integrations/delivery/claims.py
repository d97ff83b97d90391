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

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from integrations.delivery.policy import lease_seconds
from integrations.models import FINAL_STATUSES, Message, MessageStatus

OPEN_STATUSES = [MessageStatus.PENDING, MessageStatus.SENDING]


def new_owner() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def unheld(now: datetime) -> Q:
    return Q(status__in=OPEN_STATUSES) & (Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now))


def due(now: datetime) -> Q:
    """Due, unheld, its integration not paused, and (for an Ok) its Alert final."""
    return (
        unheld(now)
        & Q(next_attempt_at__lte=now)
        & (Q(integration__paused_until__isnull=True) | Q(integration__paused_until__lte=now))
        & (Q(depends_on__isnull=True) | Q(depends_on__status__in=FINAL_STATUSES))
    )


def claim(owner: str, *, limit: int, ids: Iterable[int] | None = None) -> list[int]:
    now = timezone.now()
    with transaction.atomic():
        candidates = Message.objects.filter(due(now))
        if ids is not None:
            candidates = candidates.filter(id__in=list(ids))
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        picked = list(candidates.order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit])
        if not picked:
            return []
        # The same conditions again: this UPDATE is the compare-and-swap.
        Message.objects.filter(due(now), id__in=picked).update(
            status=MessageStatus.SENDING,
            lease_owner=owner,
            lease_expires_at=now + timedelta(seconds=lease_seconds()),
            attempt_count=F("attempt_count") + 1,
            updated_at=now,
        )
    return list(Message.objects.filter(id__in=picked, lease_owner=owner).values_list("id", flat=True))


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


def next_due_at() -> datetime | None:
    """When the earliest waiting message falls due. An Ok still waiting for
    its Alert is left out: it becomes due when the Alert is final, and
    whoever finishes the Alert hands the Ok out (see outcome.save)."""
    now = timezone.now()
    row = (
        Message.objects.filter(unheld(now))
        .filter(Q(depends_on__isnull=True) | Q(depends_on__status__in=FINAL_STATUSES))
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", "integration__paused_until")
        .first()
    )
    if row is None:
        return None
    at, paused_until = row
    return max(at, paused_until) if paused_until else at
