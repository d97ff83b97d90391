"""Which escalation levels apply to a monitor, and the gates that silence them."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet

from alerting.models import (
    AccountSettings,
    AlertDefinition,
    EscalationLevel,
    LevelIntegration,
    MaintenancePeriod,
    MaintenanceType,
    Monitor,
)

SUPPRESSED_MAINTENANCE = "maintenance: notifications disabled"
SUPPRESSED_STOP_ALL = "stop all alerts is on"


def covering_definitions(monitor: Monitor) -> QuerySet[AlertDefinition]:
    """Active definitions covering ``monitor``: directly, through one of its
    groups, or through *All monitors* (which holds every monitor)."""
    group_ids = list(monitor.groups.values_list("id", flat=True))
    return (
        AlertDefinition.objects.filter(is_active=True)
        .filter(
            Q(monitors=monitor) | Q(monitor_groups__in=group_ids) | Q(monitor_groups__is_all_monitors=True)
        )
        .distinct()
        .order_by("name", "pk")
    )


def active_levels(monitor: Monitor) -> list[EscalationLevel]:
    """Every active level of every covering definition, with what sending needs
    (integrations, their steps, operators and groups) prefetched."""
    links = (
        LevelIntegration.objects.filter(is_active=True, integration__is_active=True)
        .select_related("integration")
        .prefetch_related("integration__steps")
        .order_by("integration__name", "pk")
    )
    levels = (
        EscalationLevel.objects.filter(
            is_active=True, definition__in=covering_definitions(monitor).values("pk")
        )
        .select_related("definition")
        .prefetch_related(
            Prefetch("integration_links", queryset=links, to_attr="active_links"),
        )
        .order_by("definition__name", "definition_id", "number")
    )
    return list(levels)


def monitor_alerts(monitor: Monitor) -> bool:
    """An inactive monitor, or one with *generate alerts* off, raises no alerts."""
    return monitor.is_active and monitor.generate_alerts


def monitoring_disabled(monitor: Monitor, moment: dt.datetime) -> bool:
    return any(
        p.maintenance_type == MaintenanceType.DISABLE_MONITORING
        for p in MaintenancePeriod.active_for(monitor, moment)
    )


def suppression(monitor: Monitor, moment: dt.datetime) -> str:
    """Why alerts raised at ``moment`` get no messages, or "" when they do."""
    if AccountSettings.objects.filter(pk=1, stop_all_alerts=True).exists():
        return SUPPRESSED_STOP_ALL
    if any(
        p.maintenance_type == MaintenanceType.DISABLE_NOTIFICATIONS
        for p in MaintenancePeriod.active_for(monitor, moment)
    ):
        return SUPPRESSED_MAINTENANCE
    return ""
