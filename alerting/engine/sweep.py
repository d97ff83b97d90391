"""The periodic sweep: error-duration levels and reminders need no submission.

django-q2 runs ``run_sweep`` every minute (``alerting.engine.schedule``). Each
open incident is handled in its own short transaction under its monitor's row
lock, the same lock a submission takes, so the two never race.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction

from alerting.engine import clock
from alerting.engine.escalation import Raised, escalate
from alerting.engine.outbox import enqueue_after_commit
from alerting.housekeeping import purge_idempotency_records
from alerting.models import Incident, Monitor

logger = logging.getLogger(__name__)


def sweep(now: dt.datetime | None = None) -> Raised:
    now = now or clock.now()
    raised = Raised()
    open_incidents = Incident.objects.filter(resolved_at__isnull=True, opened_at__lte=now)
    for incident_id, monitor_id in open_incidents.values_list("pk", "monitor_id"):
        with transaction.atomic():
            monitor = Monitor.objects.select_for_update().get(pk=monitor_id)
            # Re-read under the lock: an OK may have resolved it meanwhile.
            incident = Incident.objects.filter(pk=incident_id, resolved_at__isnull=True).first()
            if incident is None:
                continue
            step = escalate(incident, monitor, now)
            enqueue_after_commit(step.message_ids)
        raised.extend(step)
    return raised


def run_sweep() -> int:
    """The scheduled task; returns how many alerts it raised."""
    raised = sweep()
    purge_idempotency_records()
    if raised.alerts:
        logger.info("sweep raised %d alert(s)", len(raised.alerts))
    return len(raised.alerts)
