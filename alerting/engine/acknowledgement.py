"""Acknowledging an incident (and snoozing it), and escalation resuming after.

While an incident is acknowledged no further level fires and no reminder is
sent; its Ok still goes out when it resolves. Escalation resumes when the
snooze (``acknowledged_until``) passes or someone unacknowledges: the levels
whose threshold was reached meanwhile fire then, and the reminders of the
levels that fired before start over (full count, first one a delay later).

Each action runs in one transaction holding the monitor's row lock, the lock
submissions and the sweep take, so an acknowledgement never races an error or
an OK for the same incident.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from alerting.audit import record as audit
from alerting.audit.values import plain
from alerting.engine import clock
from alerting.engine.coverage import Coverage
from alerting.engine.escalation import Raised, escalate
from alerting.engine.passed_on import acknowledged_alerts
from alerting.engine.resume import ACK_FIELDS, resume
from alerting.models import EscalationState, Incident, Monitor


class IncidentResolved(Exception):
    """The incident is resolved: there is nothing to acknowledge any more."""


def _locked(key: str) -> tuple[Incident, Monitor]:
    """The incident keyed ``key`` read under its monitor's row lock
    (``Incident.DoesNotExist`` for an unknown key)."""
    monitor_id = Incident.objects.values_list("monitor_id", flat=True).get(key=key)
    monitor = Monitor.objects.select_for_update().get(pk=monitor_id)
    return Incident.objects.select_related("monitor").get(key=key), monitor


def acknowledge(
    key: str,
    *,
    by: str = "",
    note: str = "",
    until: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> tuple[Incident, Raised]:
    """Acknowledge the open incident ``key``; again on an acknowledged one
    replaces who, the note and the snooze. Returns the incident and the
    Acknowledged alerts passed on (only on the first acknowledgement)."""
    now = now or clock.now()
    with transaction.atomic():
        incident, monitor = _locked(key)
        if incident.resolved_at is not None:
            raise IncidentResolved(key)
        first = not incident.is_acknowledged(now)
        before = _ack_values(incident)
        incident.acknowledged_at = now if first else incident.acknowledged_at
        incident.acknowledged_by = by
        incident.acknowledgement_note = note
        incident.acknowledged_until = until
        incident.save(update_fields=ACK_FIELDS)
        audit.action(incident, "acknowledged", _ack_changes(before, incident))
        # Paused; ``resume`` starts them over.
        EscalationState.objects.filter(incident=incident).update(next_reminder_at=None)
        # Passed on once, on the first acknowledgement; the receivers' own
        # incidents have no notion of a note changed or a snooze extended.
        raised = acknowledged_alerts(incident, monitor, now, Coverage(now)) if first else Raised()
    return incident, raised


def unacknowledge(key: str, *, now: dt.datetime | None = None) -> tuple[Incident, Raised]:
    """Take the acknowledgement back: escalation resumes at once (nothing
    happens for an incident that is not acknowledged)."""
    now = now or clock.now()
    with transaction.atomic():
        incident, monitor = _locked(key)
        if incident.resolved_at is not None:
            raise IncidentResolved(key)
        raised = Raised()
        if incident.acknowledged_at is not None:
            before = _ack_values(incident)
            coverage = Coverage(now)
            resume(incident, now, coverage)
            audit.action(incident, "unacknowledged", _ack_changes(before, incident))
            raised = escalate(incident, monitor, now, coverage=coverage)
    return incident, raised


def _ack_values(incident: Incident) -> dict[str, object]:
    return {name: plain(getattr(incident, name)) for name in ACK_FIELDS}


def _ack_changes(before: dict[str, object], incident: Incident) -> dict[str, dict[str, object]]:
    after = _ack_values(incident)
    return {
        name: {"from": before[name], "to": after[name]} for name in ACK_FIELDS if before[name] != after[name]
    }
