"""Which open incidents the sweep has work for, found in SQL.

Walking every open incident each minute costs a full escalation per incident
(an outage of thousands of monitors kept the sweep past its task timeout).
Only two things can fall due without a submission, so the sweep asks for
exactly those:

- a level that has not fired for the incident, covers its monitor and whose
  threshold is reached: an error-duration level whose minutes have passed
  (the usual case), or an error-count level switched on or added while the
  incident was open;
- a reminder whose time has come;
- an acknowledgement whose snooze has passed (escalation resumes).

Acknowledged incidents are left out otherwise: nothing is due for them.

The escalation then decides as before; this only narrows where it looks, so
an incident left out here is one the escalation would have done nothing for.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet

from alerting.models import (
    AlertDefinition,
    EscalationLevel,
    EscalationMode,
    EscalationState,
    Incident,
    MonitorGroup,
)
from alerting.models.incidents import acknowledged_q

GroupMembership = MonitorGroup.monitors.through
DefinitionMonitors = AlertDefinition.monitors.through


def _covers(definition: AlertDefinition, covers_all: bool) -> Q:
    """The incident's monitor is covered by ``definition``."""
    if covers_all:
        return Q()
    direct = DefinitionMonitors.objects.filter(
        alertdefinition_id=definition.pk, monitor_id=OuterRef("monitor_id")
    )
    grouped = GroupMembership.objects.filter(
        monitor_id=OuterRef("monitor_id"), monitorgroup__alert_definitions=definition.pk
    )
    return Q(Exists(direct)) | Q(Exists(grouped))


def _reached(level: EscalationLevel, now: dt.datetime) -> Q:
    if level.mode == EscalationMode.ERROR_DURATION:
        # "Errors for more than N minutes": strictly more, as threshold_reached.
        return Q(opened_at__lt=now - dt.timedelta(minutes=level.threshold))
    return Q(consecutive_errors__gte=level.threshold)


def due_incidents(now: dt.datetime) -> QuerySet[Incident]:
    """Open incidents with a level to fire or a reminder to send at ``now``,
    oldest first."""
    levels = EscalationLevel.objects.filter(is_active=True, definition__is_active=True).select_related(
        "definition"
    )
    covers_all = set(
        AlertDefinition.objects.filter(is_active=True, monitor_groups__is_all_monitors=True).values_list(
            "pk", flat=True
        )
    )
    reminder_due = EscalationState.objects.filter(
        incident=OuterRef("pk"),
        next_reminder_at__lte=now,
        level__is_active=True,
        level__definition__is_active=True,
    )
    wanted = Q(Exists(reminder_due))
    for level in levels:
        fired = EscalationState.objects.filter(incident=OuterRef("pk"), level_id=level.pk)
        wanted |= (
            _reached(level, now)
            & _covers(level.definition, level.definition_id in covers_all)
            & ~Q(Exists(fired))
        )
    snooze_over = Q(acknowledged_at__isnull=False, acknowledged_until__lte=now)
    return (
        Incident.objects.filter(
            resolved_at__isnull=True,
            opened_at__lte=now,
            # An inactive monitor, or one that generates no alerts, raises nothing.
            monitor__is_active=True,
            monitor__generate_alerts=True,
        )
        .filter((wanted & ~acknowledged_q(now)) | snooze_over)
        .order_by("opened_at", "pk")
    )
