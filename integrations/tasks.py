"""The task queue's one door: every django-q2 task, every schedule and the one
``post_migrate`` hook that creates the schedules, and the hand-off of message
ids to delivery.

The engine decides and records, and hands back the ids of the outbox rows it
wrote; whoever called it (an API view, the admin, the ping and acknowledge
pages, the sweep task here) passes them to ``deliver_after_commit``. Nothing
else calls django-q2: ``integrations.delivery.queue`` below this module puts
tasks on the broker.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connections, transaction
from django.utils import timezone

from integrations.delivery import queue, worker
from integrations.delivery import sweep as delivery

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scheduled:
    name: str
    func: str


ESCALATION_SWEEP = Scheduled("alerting: escalation sweep", "integrations.tasks.escalation_sweep")
DELIVERY_SWEEP = Scheduled("delivery sweep", "integrations.tasks.delivery_sweep")
SCHEDULES = (ESCALATION_SWEEP, DELIVERY_SWEEP)
# django-q2's scheduler looks for due schedules every 30 s; the delivery sweep
# asks to run again at the next look rather than a whole minute later.
DELIVERY_SWEEP_AGAIN_SECONDS = 15


# --- Handing message ids to delivery ------------------------------------------------------


def deliver_after_commit(message_ids: Iterable[int]) -> None:
    """Queue the messages once the transaction that wrote them commits (at
    once outside one), so a worker never looks for a row not there yet and a
    rollback queues nothing."""
    ids = [int(i) for i in message_ids]
    if not ids:
        return
    # enqueue_messages never raises; robust=True keeps even an unforeseen error
    # in the hand-off from turning a committed request into a 500 (the rows
    # are committed, the delivery sweep hands them out).
    transaction.on_commit(lambda: queue.enqueue_messages(ids), robust=True)


# --- The tasks ----------------------------------------------------------------------------


def deliver(message_ids: list[int] | None = None) -> int:
    """Deliver these messages and whatever else is due (the queued task)."""
    return worker.deliver(message_ids or [])


def escalation_sweep() -> int:
    """Every minute: silent heartbeat monitors, error-duration levels and
    reminders (``alerting.engine.sweep``); returns how many alerts it raised."""
    from alerting.engine.sweep import run_sweep

    result = run_sweep()
    deliver_after_commit(result.message_ids)
    return result.alerts


def delivery_sweep() -> dict[str, int]:
    """Every minute, and again soon after: the safety net under the queue."""
    report = delivery.sweep()
    _run_again_soon(DELIVERY_SWEEP, DELIVERY_SWEEP_AGAIN_SECONDS)
    return report


def _run_again_soon(scheduled: Scheduled, seconds: float) -> None:
    from django_q.models import Schedule

    Schedule.objects.filter(name=scheduled.name).update(next_run=timezone.now() + timedelta(seconds=seconds))


# --- Creating the schedules, starting a worker ----------------------------------------------


def ensure_schedules(using: str = "default", **kwargs: Any) -> None:
    """Create (or point at the current task) every schedule; a ``post_migrate``
    handler, idempotent, so a fresh database and a test database have them."""
    from django_q.models import Schedule

    # After `migrate django_q zero` the table is gone; nothing to schedule then.
    if Schedule._meta.db_table not in connections[using].introspection.table_names():
        return
    for scheduled in SCHEDULES:
        Schedule.objects.using(using).update_or_create(
            name=scheduled.name,
            defaults={"func": scheduled.func, "schedule_type": Schedule.MINUTES, "minutes": 1, "repeats": -1},
        )


def on_worker_spawn(**kwargs: object) -> None:
    """django-q2's ``post_spawn``: a fresh worker process (after a restart, a
    crash or a task timeout) queues a task that takes over what a dead worker
    held as soon as its leases run out. The scheduler's first sweep comes
    only about 30 s after a cluster starts."""
    queue.continue_draining()
