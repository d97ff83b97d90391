"""Planning a claimed batch into lanes: one lane is one thread's ordered work.

Work is grouped by integration so a slow or failing receiver ties up only its
own lanes. A rate-limited integration gets one lane whose messages carry the
slot times reserved for them; the messages beyond the reservation go back to
the outbox. An unlimited one is spread over up to half the threads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import zip_longest

from integrations.delivery import claims, ratelimit
from integrations.delivery.policy import rate_per_minute
from integrations.models import Integration, Message


@dataclass
class Lane:
    integration: Integration
    items: list[tuple[Message, datetime | None]] = field(default_factory=list)


def plan_lanes(owner: str, messages: list[Message], threads: int) -> list[Lane]:
    groups: dict[object, list[Message]] = {}
    for message in messages:
        groups.setdefault(message.integration_id, []).append(message)
    per_integration: list[list[Lane]] = []
    for group in groups.values():
        integration = group[0].integration
        limit = rate_per_minute(integration)
        if limit:
            slots, later = ratelimit.reserve(integration.pk, limit, len(group))
            if len(slots) < len(group):
                claims.release(owner, [m.id for m in group[len(slots) :]], later)
            lanes = [Lane(integration, list(zip(group[: len(slots)], slots, strict=True)))]
        else:
            count = max(1, min(len(group), threads // 2))
            lanes = [Lane(integration, [(m, None) for m in group[i::count]]) for i in range(count)]
        per_integration.append([lane for lane in lanes if lane.items])
    # Interleave, so every integration's first lane starts before anyone's second.
    return [lane for row in zip_longest(*per_integration) for lane in row if lane is not None]
