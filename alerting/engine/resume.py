"""Escalation resuming after an acknowledgement (snooze passed, or taken back)."""

from __future__ import annotations

import datetime as dt

from alerting.engine.coverage import Coverage
from alerting.models import EscalationState, Incident

ACK_FIELDS = ["acknowledged_at", "acknowledged_by", "acknowledgement_note", "acknowledged_until"]


def resume(incident: Incident, now: dt.datetime, coverage: Coverage) -> None:
    """Clear the acknowledgement and start the fired levels' reminders over
    (the full count again, the first one a reminder delay from ``now``).

    The caller holds the monitor's lock and escalates next, which fires the
    levels whose threshold was reached meanwhile.
    """
    incident.acknowledged_at = None
    incident.acknowledged_by = ""
    incident.acknowledgement_note = ""
    incident.acknowledged_until = None
    incident.save(update_fields=ACK_FIELDS)
    for state in EscalationState.objects.filter(incident=incident):
        level = coverage.level(state.level_id)
        if level is None or not level.number_of_reminders:
            continue
        state.reminders_sent = 0
        state.next_reminder_at = now + dt.timedelta(minutes=level.reminder_delay_minutes)
        state.save(update_fields=["reminders_sent", "next_reminder_at"])
