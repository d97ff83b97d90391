"""Per-integration rate limits shared by every worker process.

A generic cell rate algorithm: ``Integration.rate_next_at`` is the time the
next request may go out. Reserving n slots moves it n intervals ahead with a
compare-and-swap UPDATE, so two processes can never hand out the same slot.
Requests beyond the near future are not reserved; their messages go back to
the outbox due at the end of the reserved run and queue up again then.
Nothing is dropped.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from django.utils import timezone

from integrations.models import Integration

# How far ahead a worker reserves slots; its thread sleeps until each one.
HORIZON = timedelta(seconds=5)


def reserve(integration_id: UUID, per_minute: int, wanted: int) -> tuple[list[datetime], datetime]:
    """Return (slot times for up to ``wanted`` requests, when the rest may try again)."""
    interval = timedelta(seconds=60 / per_minute)
    while True:
        now = timezone.now()
        current = Integration.objects.filter(pk=integration_id).values_list("rate_next_at", flat=True).first()
        start = max(current, now) if current else now
        room = int((now + HORIZON - start) / interval) + 1 if start <= now + HORIZON else 0
        count = max(0, min(wanted, room))
        end = start + interval * count
        if count == 0:
            return [], start
        # filter(rate_next_at=None) is IS NULL, so the swap also covers the first use.
        if Integration.objects.filter(pk=integration_id, rate_next_at=current).update(rate_next_at=end):
            return [start + interval * i for i in range(count)], end
