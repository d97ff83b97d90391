"""The monitor dashboard behind ``{{@monitor.dashboardUrl}}``.

One read-only page per monitor: its state now, the open incident with what
each escalation level has done, the latest check results, recent alerts with
their messages, and which alert definitions and levels cover it and why
(directly, through a group, or through *All monitors*), with the gates that
would keep it silent. It only reads; nothing here changes state.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext

from alerting.admin.coverage import reason
from alerting.config_snapshot.compiled import ALL_MONITORS, DIRECTLY
from alerting.models import (
    AccountSettings,
    Alert,
    AlertDefinition,
    CheckResult,
    EscalationLevel,
    EscalationState,
    Incident,
    MaintenancePeriod,
    MaintenanceType,
    Monitor,
    MonitorGroup,
)
from integrations.models import LevelIntegration

CHECK_RESULTS_SHOWN = 50
ALERTS_SHOWN = 20


@dataclass
class CoveringDefinition:
    definition: AlertDefinition
    reasons: list[str] = field(default_factory=list)  # "directly", "via group Shop", …
    levels: list[EscalationLevel] = field(default_factory=list)

    @property
    def sends(self) -> bool:
        """Uptrends' coverage rule: an active definition with an active level."""
        return self.definition.is_active and any(level.is_active for level in self.levels)


def coverage(monitor: Monitor) -> list[CoveringDefinition]:
    """Every definition naming the monitor, directly or through a group, with
    the reasons; inactive definitions and levels are listed too (marked), so
    the page explains why a monitor is *not* covered as well."""
    found: dict[Any, CoveringDefinition] = {}

    def add(definitions: Any, reason: str) -> None:
        for definition in definitions:
            entry = found.setdefault(definition.pk, CoveringDefinition(definition))
            if reason not in entry.reasons:
                entry.reasons.append(reason)

    # Worded and ordered as the monitor page's "Covered by" line (admin.coverage).
    for group in MonitorGroup.objects.filter(is_all_monitors=True):
        add(group.alert_definitions.all(), reason(ALL_MONITORS, {}))
    for group in monitor.groups.filter(is_all_monitors=False).order_by("name"):
        add(group.alert_definitions.all(), reason(group.pk, {group.pk: group.name}))
    add(monitor.alert_definitions.all(), reason(DIRECTLY, {}))

    links = LevelIntegration.objects.select_related("integration").order_by("integration__name", "pk")
    levels = (
        EscalationLevel.objects.filter(definition_id__in=list(found))
        .prefetch_related(
            Prefetch("integration_links", queryset=links, to_attr="links"),
            "operators",
            "operator_groups",
        )
        .order_by("number")
    )
    for level in levels:
        found[level.definition_id].levels.append(level)
    return sorted(found.values(), key=lambda c: (not c.sends, c.definition.name.lower()))


def maintenance_now(monitor: Monitor, now: dt.datetime) -> list[MaintenancePeriod]:
    return MaintenancePeriod.active_for(monitor, now)


def silenced_because(monitor: Monitor, periods: list[MaintenancePeriod], stop_all: bool) -> list[str]:
    """Why a new error on this monitor would send no message now."""
    reasons = []
    if not monitor.is_active:
        reasons.append(gettext("the monitor is inactive"))
    elif not monitor.generate_alerts:
        reasons.append(gettext("generate alerts is off for this monitor"))
    if stop_all:
        # The engine records its constants (English) on the alert; here they are read by people.
        reasons.append(gettext("stop all alerts is on"))
    kinds = {p.maintenance_type for p in periods}
    if MaintenanceType.DISABLE_MONITORING in kinds:
        reasons.append(gettext("maintenance: monitoring disabled"))
    elif MaintenanceType.DISABLE_NOTIFICATIONS in kinds:
        reasons.append(gettext("maintenance: notifications disabled"))
    return reasons


def context(monitor: Monitor, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    periods = maintenance_now(monitor, now)
    stop_all = AccountSettings.objects.filter(pk=1, stop_all_alerts=True).exists()
    incident = Incident.objects.filter(monitor=monitor, resolved_at__isnull=True).first()
    escalations: list[EscalationState] = []
    if incident is not None:
        escalations = list(
            EscalationState.objects.filter(incident=incident)
            .select_related("level__definition")
            .order_by("level__definition__name", "level__number")
        )
    from integrations.models import Message  # models import no admin code; admin may read messages

    messages = Message.objects.select_related("integration").order_by("created_at", "id")
    alerts = list(
        Alert.objects.filter(incident__monitor=monitor)
        .select_related("incident")
        .prefetch_related(Prefetch("messages", queryset=messages, to_attr="message_list"))
        .order_by("-timestamp", "-id")[:ALERTS_SHOWN]
    )
    checks = list(
        CheckResult.objects.filter(monitor=monitor).order_by("-timestamp", "-id")[:CHECK_RESULTS_SHOWN]
    )
    covering = coverage(monitor)
    fired = {state.level_id for state in escalations}
    waiting = [
        level
        for entry in covering
        if entry.sends
        for level in entry.levels
        if level.is_active and level.pk not in fired
    ]
    return {
        "monitor": monitor,
        "now": now,
        "time_zone": settings.TIME_ZONE,
        "state": monitor.last_status or "unknown",
        "maintenance": periods,
        "stop_all": stop_all,
        "silenced": silenced_because(monitor, periods, stop_all),
        "incident": incident,
        "incident_acknowledged": incident is not None and incident.is_acknowledged(now),
        "escalations": escalations,
        "waiting_levels": waiting if incident is not None else [],
        "checks": checks,
        "alerts": alerts,
        "coverage": covering,
        "covered": monitor.is_active and monitor.generate_alerts and any(c.sends for c in covering),
    }
