"""Small periodic clean-ups that ride along with the minute sweep."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from alerting.models import IdempotencyRecord

# How long an idempotency key replays its first answer.
IDEMPOTENCY_TTL = dt.timedelta(hours=24)


def purge_idempotency_records(now: dt.datetime | None = None) -> int:
    deleted, _ = IdempotencyRecord.objects.filter(
        created_at__lt=(now or timezone.now()) - IDEMPOTENCY_TTL
    ).delete()
    return deleted
