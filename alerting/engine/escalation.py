"""Escalation for one open incident: which levels fire, remind, or send OK.

Callers hold the monitor's row lock (``select_for_update``) for the whole
transaction, so submissions and the sweep never act on one incident at once;
the reminder counter is still advanced with a conditional UPDATE so that a
second actor could never send the same reminder twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F

from alerting import variables
from alerting.config_snapshot import Level
from alerting.engine.coverage import Coverage, monitor_alerts
from alerting.engine.outbox import messages_for
from alerting.engine.resume import resume
from alerting.models import Alert, AlertType, EscalationMode, EscalationState, Incident, Monitor


@dataclass
class Raised:
    """What one engine step produced, for the caller to answer and enqueue."""

    alerts: list[Alert] = field(default_factory=list)
    message_ids: list[int] = field(default_factory=list)

    def extend(self, other: Raised) -> None:
        self.alerts.extend(other.alerts)
        self.message_ids.extend(other.message_ids)


def threshold_reached(level: Level, incident: Incident, now: dt.datetime) -> bool:
    if level.mode == EscalationMode.ERROR_DURATION:
        # "Errors for more than N minutes": strictly more.
        return now - incident.opened_at > dt.timedelta(minutes=level.threshold)
    return incident.consecutive_errors >= level.threshold


def new_alert(
    alert_type: str,
    incident: Incident,
    monitor: Monitor,
    level: Level,
    now: dt.datetime,
    suppressed: str,
    *,
    check_result_id: int | None = None,
    ok_check: dict[str, Any] | None = None,
    ok_at: dt.datetime | None = None,
) -> Alert:
    """An unsaved alert with its variable snapshot (which needs no primary key)."""
    alert = Alert(
        incident=incident,
        definition_id=level.definition_id,
        level_id=level.id,
        definition_name=level.definition_name,
        level_number=level.number,
        alert_type=alert_type,
        timestamp=now,
        check_result_id=check_result_id,
        suppressed_reason=suppressed,
    )
    alert.variables = variables.snapshot(
        alert, incident, monitor, ok_check=ok_check, ok_at=ok_at, level_message=level.message
    )
    return alert


def new_state(incident: Incident, level: Level, now: dt.datetime) -> EscalationState:
    """The record that ``level`` fired for ``incident`` at ``now``, unsaved."""
    return EscalationState(
        incident=incident,
        level_id=level.id,
        fired_at=now,
        next_reminder_at=(
            now + dt.timedelta(minutes=level.reminder_delay_minutes) if level.number_of_reminders else None
        ),
    )


def raise_alert(alert: Alert, level: Level, coverage: Coverage) -> Raised:
    """Save ``alert`` (from ``new_alert`` for ``level``) and the messages it owes."""
    alert.save()
    messages = messages_for(alert, level, alert.timestamp, coverage)
    return Raised([alert], [m.pk for m in messages])


def escalate(
    incident: Incident,
    monitor: Monitor,
    now: dt.datetime,
    *,
    check_result_id: int | None = None,
    coverage: Coverage | None = None,
) -> Raised:
    """Fire every level whose threshold is reached and has not fired yet for
    this incident, then send the reminders that are due; nothing while the
    incident is acknowledged (escalation resumes once its snooze passed)."""
    raised = Raised()
    if incident.acknowledged_at is not None:
        if incident.is_acknowledged(now):
            return raised  # someone is on it: no level, no reminder
        resume(incident, now, coverage or Coverage(now))  # the snooze has passed
    if not monitor_alerts(monitor):
        return raised
    coverage = coverage or Coverage(now)
    levels = coverage.levels_for(monitor)
    if not levels:
        return raised
    suppressed = coverage.suppression(monitor)
    states = {s.level_id: s for s in EscalationState.objects.filter(incident=incident)}
    for level in levels:
        state = states.get(level.id)
        if state is None:
            if threshold_reached(level, incident, now):
                new_state(incident, level, now).save()
                alert = new_alert(
                    AlertType.ALERT,
                    incident,
                    monitor,
                    level,
                    now,
                    suppressed,
                    check_result_id=check_result_id,
                )
                raised.extend(raise_alert(alert, level, coverage))
        elif state.next_reminder_at is not None and state.next_reminder_at <= now:
            raised.extend(remind(state, incident, monitor, level, now, suppressed, coverage, check_result_id))
    return raised


def remind(
    state: EscalationState,
    incident: Incident,
    monitor: Monitor,
    level: Level,
    now: dt.datetime,
    suppressed: str,
    coverage: Coverage,
    check_result_id: int | None,
) -> Raised:
    if state.reminders_sent >= level.number_of_reminders:
        # The limit was lowered after the level fired: no more reminders.
        EscalationState.objects.filter(pk=state.pk).update(next_reminder_at=None)
        return Raised()
    sent = state.reminders_sent + 1
    delay = dt.timedelta(minutes=level.reminder_delay_minutes)
    following = (state.next_reminder_at or now) + delay
    if following <= now:
        # Far behind (the worker was down): one reminder now, not a burst.
        following = now + delay
    claimed = EscalationState.objects.filter(pk=state.pk, reminders_sent=state.reminders_sent).update(
        reminders_sent=F("reminders_sent") + 1,
        next_reminder_at=following if sent < level.number_of_reminders else None,
    )
    if not claimed:
        return Raised()
    alert = new_alert(
        AlertType.REMINDER, incident, monitor, level, now, suppressed, check_result_id=check_result_id
    )
    return raise_alert(alert, level, coverage)


def resolve(
    incident: Incident,
    monitor: Monitor,
    resolved_at: dt.datetime,
    now: dt.datetime,
    *,
    check_result_id: int | None,
    ok_check: dict[str, Any],
    coverage: Coverage | None = None,
) -> Raised:
    """Close the incident; every level that fired for it sends an Ok alert.

    Levels and definitions switched off after firing still send their Ok:
    whoever was told of the error must hear that it ended.
    """
    incident.resolved_at = resolved_at
    incident.save(update_fields=["resolved_at"])
    fired = list(EscalationState.objects.filter(incident=incident).values_list("level_id", flat=True))
    if not fired:
        return Raised()
    EscalationState.objects.filter(incident=incident).update(next_reminder_at=None)
    raised = Raised()
    if not monitor_alerts(monitor):
        return raised
    coverage = coverage or Coverage(now)
    levels = sorted(
        (level for level in map(coverage.level, fired) if level is not None), key=lambda level: level.order
    )
    suppressed = coverage.suppression(monitor)
    for level in levels:
        alert = new_alert(
            AlertType.OK,
            incident,
            monitor,
            level,
            now,
            suppressed,
            check_result_id=check_result_id,
            ok_check=ok_check,
            ok_at=resolved_at,
        )
        raised.extend(raise_alert(alert, level, coverage))
    return raised
