"""Opening many incidents at once: the first error of many monitors in a batch.

This is ``record_error`` + ``escalate`` for a monitor that had no open
incident, with every write deferred so that a batch (an outage reported by a
thousand checks) inserts its incidents, escalation states, alerts and
messages with one INSERT each rather than a few per monitor. A new incident
has no escalation state yet, so no reminder can be due and the only question
per level is whether its threshold is reached by the first error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from alerting.config_snapshot import Level
from alerting.engine import chained
from alerting.engine.coverage import Coverage, monitor_alerts
from alerting.engine.escalation import Raised, new_alert, new_state, threshold_reached
from alerting.engine.outbox import message_rows
from alerting.models import Alert, AlertType, CheckResult, EscalationState, Incident, Monitor
from alerting.models.incidents import new_incident_key
from alerting.variables import CHECK_FIELDS
from integrations.models import Message


@dataclass
class Opening:
    monitor: Monitor
    result: CheckResult


def new_incident(monitor: Monitor, result: CheckResult) -> Incident:
    return Incident(
        key=new_incident_key(result.pk),
        monitor=monitor,
        opened_at=result.timestamp,
        first_error=result,
        first_error_description=result.description,
        consecutive_errors=1,
        last_error_at=result.timestamp,
        last_check_data={name: getattr(result, name) for name in CHECK_FIELDS},
    )


def open_incidents(
    openings: list[Opening], now: dt.datetime, coverage: Coverage
) -> list[tuple[Incident, Raised]]:
    """Open one incident per opening (each for a different monitor) and fire
    the levels its first error reaches; returns (incident, raised) in order."""
    chain = chained.supported()
    incidents = [new_incident(o.monitor, o.result) for o in openings]
    if not chain:
        incidents = Incident.objects.bulk_create(incidents)
    states: list[EscalationState] = []
    fired: list[tuple[int, Alert, Level]] = []
    for index, (opening, incident) in enumerate(zip(openings, incidents, strict=True)):
        monitor = opening.monitor
        if not monitor_alerts(monitor):
            continue
        levels = coverage.levels_for(monitor)
        if not levels:
            continue
        suppressed = coverage.suppression(monitor)
        for level in levels:
            if not threshold_reached(level, incident, now):
                continue
            states.append(new_state(incident, level, now))
            alert = new_alert(
                AlertType.ALERT, incident, monitor, level, now, suppressed, check_result_id=opening.result.pk
            )
            fired.append((index, alert, level))
    if not chain:
        EscalationState.objects.bulk_create(states)
        Alert.objects.bulk_create([alert for _, alert, _ in fired])
    rows: list[tuple[int, Message]] = []
    for index, alert, level in fired:
        rows.extend((index, m) for m in message_rows(alert, level, now, coverage))
    if chain:
        # One statement for the four tables (PostgreSQL).
        chained.insert_opened(incidents, states, [alert for _, alert, _ in fired], [m for _, m in rows])
    else:
        Message.objects.bulk_create([m for _, m in rows])
    raised = [Raised() for _ in openings]
    for index, alert, _ in fired:
        raised[index].alerts.append(alert)
    for index, message in rows:
        raised[index].message_ids.append(message.pk)
    return list(zip(incidents, raised, strict=True))
