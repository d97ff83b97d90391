"""Retrying messages (the word the admin, the API and the README use): the admin action,
the API and ``retry_messages`` call this."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from integrations.delivery.queue import enqueue_messages
from integrations.models import Message, MessageStatus


class NotReplayable(ValueError):
    pass


def _replayable(now) -> Q:  # type: ignore[no-untyped-def]
    # Anything but a message a live worker is sending right now.
    return ~Q(status=MessageStatus.SENDING) | Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True)


def retry_messages(ids: Iterable[int]) -> list[int]:
    """Make the messages due now with a fresh retry schedule and maximum age,
    and queue them. Returns the ids actually replayed."""
    from django.conf import settings

    ids = list(ids)
    now = timezone.now()
    replayed = list(Message.objects.filter(_replayable(now), id__in=ids).values_list("id", flat=True))
    if not replayed:
        return []
    Message.objects.filter(_replayable(now), id__in=replayed).update(
        status=MessageStatus.PENDING,
        next_attempt_at=now,
        lease_owner="",
        lease_expires_at=None,
        attempts_before_replay=F("attempt_count"),
        expires_at=now + timedelta(seconds=settings.DELIVERY_MAX_AGE_SECONDS),
        delivered_at=None,
        updated_at=now,
    )
    enqueue_messages(replayed)
    return replayed


def retry_message(message: Message) -> None:
    """Retry one message; NotReplayable when a worker is sending it now."""
    if not retry_messages([message.pk]):
        raise NotReplayable(
            gettext("Message %(id)s is being sent right now; try again in a moment.") % {"id": message.pk}
        )
    message.refresh_from_db()
