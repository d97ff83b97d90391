"""Handing message ids to the task queue.

The outbox is the truth; a task only says "look at these soon". Losing one
(a broker hiccup, a Redis restart) costs latency, not a message: the periodic
sweep hands out every due message again. So a broker error never reaches the
caller (an ingest request, an on_commit hook): it is logged once per outage,
and for a second after a failure the broker is not even tried, so that
requests during an outage do not each wait for a refused connection.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from typing import Any

from django_q.brokers import get_broker
from django_q.tasks import async_task

from alertsite.outage import Outage

logger = logging.getLogger(__name__)
outage = Outage(logger, "task broker", "message ids are left to the sweep")

DELIVER_TASK = "integrations.tasks.deliver"
# Ids per task. A task also drains other due messages, so this only bounds
# the task's payload.
CHUNK = 200


# One broker per process (async_task's documented ``broker`` option): left to
# itself, async_task builds a new one, and with it a new Redis client, for
# every task; that cost a single first error more than the rest of its request.
_broker: tuple[int, Any] | None = None


def _shared_broker() -> Any:
    global _broker
    pid = os.getpid()
    if _broker is None or _broker[0] != pid:  # a forked child makes its own
        _broker = (pid, get_broker())
    return _broker[1]


def _forget_broker() -> None:
    """After a failure: the next attempt starts from a fresh broker."""
    global _broker
    _broker = None


def enqueue_messages(message_ids: Iterable[int]) -> None:
    ids = [int(i) for i in message_ids]
    for start in range(0, len(ids), CHUNK):
        if not _queue(ids[start : start + CHUNK]):
            return  # the rest would fail the same way; the sweep hands them all out


def continue_draining() -> None:
    """Queue a task that claims whatever is due (a task ran out of time with
    work left; waiting for the sweep would only add latency)."""
    _queue([])


def _queue(ids: list[int]) -> bool:
    if outage.backing_off():
        return False
    try:
        async_task(DELIVER_TASK, ids, group="delivery", save=False, broker=_shared_broker())
    except Exception as exc:  # whatever the broker raises (redis-py, a database error)
        _forget_broker()
        outage.failed(exc)
        return False
    # Back after an outage, this first task also takes the messages whose
    # ids could not be handed over meanwhile: a task drains whatever is due.
    outage.succeeded()
    return True
