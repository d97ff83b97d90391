"""Idempotency keys: a repeated key within 24 hours replays the first answer.

The record is claimed *before* the work, inside the same transaction: a second
request with the same key blocks on the unique index until the first commits,
then finds the record and replays it, so the work is never done twice. Only
accepted (202) answers are kept; a refused request can be corrected and sent
again with the same key.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from alerting.housekeeping import IDEMPOTENCY_TTL
from alerting.models import ApiKey, IdempotencyRecord

TTL = IDEMPOTENCY_TTL
REQUEST = "request:"
ITEM = "item:"


def fresh(api_key: ApiKey, key: str) -> IdempotencyRecord | None:
    return (
        IdempotencyRecord.objects.filter(api_key=api_key, key=key, created_at__gte=timezone.now() - TTL)
        .exclude(status_code=0)
        .first()
    )


def claim(api_key: ApiKey, key: str) -> IdempotencyRecord | None:
    """Reserve ``key`` in the current transaction. Returns None when it is now
    ours, or the earlier record to replay."""
    IdempotencyRecord.objects.filter(api_key=api_key, key=key, created_at__lt=timezone.now() - TTL).delete()
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(api_key=api_key, key=key, status_code=0, response={})
    except IntegrityError:
        return IdempotencyRecord.objects.filter(api_key=api_key, key=key).first()
    return None


def settle(api_key: ApiKey, key: str, status_code: int, response: Any) -> None:
    IdempotencyRecord.objects.filter(api_key=api_key, key=key).update(
        status_code=status_code, response=response
    )
