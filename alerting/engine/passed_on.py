"""The Acknowledged alerts: an acknowledgement passed on to the receivers that
keep an incident state of their own (PagerDuty, Opsgenie, Splunk On-Call,
custom steps that ask for it), so they acknowledge their incident too.

Recorded like an Ok: one per level that fired for the incident (a level
switched off since still hears of it), with messages for the links that want
the Acknowledged type; delivery sends them.
"""

from __future__ import annotations

import datetime as dt

from alerting.engine.coverage import Coverage, monitor_alerts
from alerting.engine.escalation import Raised, new_alert, raise_alert
from alerting.models import AlertType, EscalationState, Incident, Monitor


def acknowledged_alerts(incident: Incident, monitor: Monitor, now: dt.datetime, coverage: Coverage) -> Raised:
    raised = Raised()
    if not monitor_alerts(monitor):
        return raised
    fired = EscalationState.objects.filter(incident=incident).values_list("level_id", flat=True)
    levels = sorted(
        (level for level in map(coverage.level, fired) if level is not None), key=lambda level: level.order
    )
    suppressed = coverage.suppression(monitor)
    for level in levels:
        alert = new_alert(AlertType.ACKNOWLEDGED, incident, monitor, level, now, suppressed)
        raised.extend(raise_alert(alert, level, coverage))
    return raised
