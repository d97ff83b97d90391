"""Which maintenance periods are on *now*, for the monitor page, the monitor
list and the dashboard (windows read in the account time zone, as the engine
reads them)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from alerting.models import MaintenancePeriod, MaintenanceType, MonitorGroup

LABELS: dict[str, Any] = {
    MaintenanceType.DISABLE_NOTIFICATIONS: _("notifications off"),
    MaintenanceType.DISABLE_MONITORING: _("monitoring off"),
}


def periods_now(now: dt.datetime) -> list[MaintenancePeriod]:
    """Every period on at ``now`` (there are few periods; each is one window)."""
    periods = MaintenancePeriod.objects.select_related("monitor", "monitor_group").order_by("id")
    return [p for p in periods if p.covers(now, settings.TIME_ZONE)]


def labels_now(now: dt.datetime) -> Callable[[Any], str]:
    """Monitor id -> "monitoring off", "notifications off" or "", for a list
    of monitors: two queries for the whole page, none per row."""
    kinds: dict[Any, set[str]] = defaultdict(set)
    everywhere: set[str] = set()
    by_group: dict[Any, set[str]] = defaultdict(set)
    for period in periods_now(now):
        if period.monitor_id is not None:
            kinds[period.monitor_id].add(period.maintenance_type)
        elif period.monitor_group is not None and period.monitor_group.is_all_monitors:
            everywhere.add(period.maintenance_type)
        else:
            by_group[period.monitor_group_id].add(period.maintenance_type)
    if by_group:
        for monitor_id, group_id in MonitorGroup.monitors.through.objects.filter(
            monitorgroup_id__in=list(by_group)
        ).values_list("monitor_id", "monitorgroup_id"):
            kinds[monitor_id] |= by_group[group_id]

    def label(monitor_id: Any) -> str:
        found = kinds.get(monitor_id, set()) | everywhere
        if MaintenanceType.DISABLE_MONITORING in found:
            return str(LABELS[MaintenanceType.DISABLE_MONITORING])
        return str(LABELS[MaintenanceType.DISABLE_NOTIFICATIONS]) if found else ""

    return label


def window(period: MaintenancePeriod) -> str:
    """'Daily 22:00–23:00, "Backup"'."""
    text = period.describe()
    return f'{text}, "{period.description}"' if period.description else text


def describe(period: MaintenancePeriod) -> str:
    """'Notifications off (Daily 22:00–23:00, "Backup")'."""
    return (
        f"{str(LABELS.get(period.maintenance_type, period.maintenance_type)).capitalize()} ({window(period)})"
    )
