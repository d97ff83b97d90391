"""Handing message ids to the task queue.

The outbox is the truth; a task only says "look at these soon". Losing one
(a broker hiccup, a Redis restart) costs latency, not a message: the periodic
sweep hands out every due message again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django_q.tasks import async_task

logger = logging.getLogger(__name__)

DELIVER_TASK = "integrations.delivery.worker.deliver"
# Ids per task. A task also drains other due messages, so this only bounds
# the task's payload.
CHUNK = 200


def enqueue_messages(message_ids: Iterable[int]) -> None:
    ids = [int(i) for i in message_ids]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        try:
            async_task(DELIVER_TASK, chunk, group="delivery", save=False)
        except Exception:
            # Never fail the caller (an ingest request, an on_commit hook).
            logger.warning("could not queue %d message(s); the sweep will", len(chunk), exc_info=True)


def continue_draining() -> None:
    """Queue a task that claims whatever is due (a task ran out of time with
    work left; waiting for the sweep would only add latency)."""
    try:
        async_task(DELIVER_TASK, [], group="delivery", save=False)
    except Exception:
        logger.warning("could not queue a follow-up delivery task; the sweep will", exc_info=True)
