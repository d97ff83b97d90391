"""The periodic sweep: error-duration levels and reminders need no submission.

django-q2 runs ``run_sweep`` every minute (``integrations.tasks``). It
looks only at the incidents that have something due (``alerting.engine.due``,
one query), and handles them in chunks: each chunk is one short transaction
holding its monitors' row locks, the same locks a submission takes (taken in
the same key order), so the two never race or deadlock. A run stops taking new
chunks well before the task timeout; whatever is left is due at the next run.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from alerting.engine import clock
from alerting.engine.coverage import Coverage
from alerting.engine.due import due_incidents
from alerting.engine.escalation import Raised, escalate
from alerting.engine.heartbeats import record_missing_heartbeats
from alerting.housekeeping import purge_idempotency_records
from alerting.models import Incident, Monitor

logger = logging.getLogger(__name__)

CHUNK = 100
# At most this many incidents per run; a bigger backlog continues next minute.
MAX_PER_RUN = 5000


def sweep(now: dt.datetime | None = None) -> Raised:
    now = now or clock.now()
    raised = Raised()
    stop_at = time.monotonic() + settings.Q_TIMEOUT * 0.5
    due = list(due_incidents(now).values_list("pk", flat=True)[:MAX_PER_RUN])
    for start in range(0, len(due), CHUNK):
        if time.monotonic() > stop_at:
            logger.warning("sweep: %d due incident(s) left for the next run", len(due) - start)
            break
        raised.extend(_sweep_chunk(due[start : start + CHUNK], now))
    return raised


def _sweep_chunk(incident_ids: list[int], now: dt.datetime) -> Raised:
    raised = Raised()
    with transaction.atomic():
        monitor_ids = Incident.objects.filter(pk__in=incident_ids).values_list("monitor_id", flat=True)
        monitors = {
            m.pk: m
            for m in Monitor.objects.select_for_update().filter(pk__in=list(monitor_ids)).order_by("key")
        }
        # Read under the locks: an OK may have resolved one meanwhile.
        incidents = (
            Incident.objects.filter(pk__in=incident_ids, resolved_at__isnull=True)
            .select_related("first_error")
            .order_by("opened_at", "pk")
        )
        coverage = Coverage(now)
        for incident in incidents:
            raised.extend(escalate(incident, monitors[incident.monitor_id], now, coverage=coverage))
    return raised


@dataclass(frozen=True)
class SweepResult:
    alerts: int
    message_ids: list[int]


def run_sweep() -> SweepResult:
    """What the scheduled task runs: the alerts raised and the ids of the
    messages they owe (the task hands them to delivery)."""
    # Silent heartbeat monitors first: their errors go through the submission
    # path (alerts at once), the escalation sweep then sees their incidents.
    heartbeats = record_missing_heartbeats()
    raised = sweep()
    purge_idempotency_records()
    alerts = len(raised.alerts) + sum(len(o.alerts) for o in heartbeats)
    if heartbeats:
        logger.info("sweep: %d monitor(s) missed their heartbeat", len(heartbeats))
    if raised.alerts:
        logger.info("sweep raised %d alert(s)", len(raised.alerts))
    return SweepResult(alerts, [*(pk for o in heartbeats for pk in o.message_ids), *raised.message_ids])
