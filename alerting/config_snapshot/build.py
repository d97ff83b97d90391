"""Compiling the configuration from the database into a ``Snapshot``.

A dozen single-table (or one-join) queries of plain values, no model
instances: run once per process and configuration version, not per
submission.
"""

from __future__ import annotations

from collections import defaultdict
from types import MappingProxyType
from typing import Any

from django.db.models import Q

from alerting.config_snapshot.compiled import (
    ACKNOWLEDGED,
    ALERT,
    OK,
    REMINDER,
    Level,
    Link,
    Maintenance,
    OperatorInfo,
    Snapshot,
    Window,
)
from alerting.models import (
    AccountSettings,
    AlertDefinition,
    EscalationLevel,
    MaintenancePeriod,
    MonitorGroup,
    OffDutySchedule,
    Operator,
    OperatorGroup,
)
from alerting.models.schedules import WINDOW_FIELDS
from integrations.alert_types import STEP_FLAGS
from integrations.models import IntegrationKind, IntegrationStep, LevelIntegration

ACKNOWLEDGING_KINDS = frozenset({IntegrationKind.PAGERDUTY})


def _window(row: dict[str, Any]) -> Window:
    return Window(*(row[name] for name in WINDOW_FIELDS))


def _frozen(mapping: dict[Any, set[Any]]) -> MappingProxyType[Any, frozenset[Any]]:
    return MappingProxyType({key: frozenset(values) for key, values in mapping.items()})


def _links() -> dict[int, list[Link]]:
    """Level id -> its active links to active integrations, by integration name."""
    steps: dict[Any, set[str]] = defaultdict(set)
    for row in IntegrationStep.objects.filter(
        integration__kind=IntegrationKind.WEBHOOK, integration__is_active=True
    ).values("integration_id", *STEP_FLAGS.values()):
        for alert_type, flag in STEP_FLAGS.items():
            if row[flag]:
                steps[row["integration_id"]].add(alert_type)
    found: dict[int, list[Link]] = defaultdict(list)
    rows = (
        LevelIntegration.objects.filter(is_active=True, integration__is_active=True)
        .order_by("integration__name", "pk")
        .values(
            "id",
            "level_id",
            "integration_id",
            "integration__kind",
            "send_ok_alerts",
            "send_reminders",
            "variable_values",
            "extra_email_addresses",
        )
    )
    for row in rows:
        kind = row["integration__kind"]
        if kind == IntegrationKind.WEBHOOK:
            # A custom integration decides through its steps' message types; the
            # level's OK/reminder boxes do not apply to it (as in Uptrends).
            wants = frozenset(steps.get(row["integration_id"], ()))
        else:
            types = {ALERT}
            # Nobody wants a phone call to say all is well.
            if row["send_ok_alerts"] and kind != IntegrationKind.PHONE:
                types.add(OK)
            if row["send_reminders"]:
                types.add(REMINDER)
            if kind in ACKNOWLEDGING_KINDS:
                # The receiver keeps an incident of its own: it follows the acknowledgement.
                types.add(ACKNOWLEDGED)
            wants = frozenset(types)
        extra = row["extra_email_addresses"] or []
        found[row["level_id"]].append(
            Link(
                id=row["id"],
                integration_id=row["integration_id"],
                kind=kind,
                wants=wants,
                variable_values=MappingProxyType(dict(row["variable_values"] or {})),
                extra_emails=tuple(e for e in extra if isinstance(e, str)) if isinstance(extra, list) else (),
            )
        )
    return found


def _operators() -> dict[int, tuple[OperatorInfo, ...]]:
    """Level id -> its available-in-principle operators (active, on duty), in name order."""
    schedules: dict[Any, list[Window]] = defaultdict(list)
    for row in OffDutySchedule.objects.order_by("operator_id", "id").values("operator_id", *WINDOW_FIELDS):
        schedules[row["operator_id"]].append(_window(row))
    operators = {
        row["id"]: OperatorInfo(
            id=row["id"],
            full_name=row["full_name"],
            email=row["email"],
            mobile_phone=row["mobile_phone"],
            off_duty=tuple(schedules.get(row["id"], ())),
        )
        for row in Operator.objects.filter(is_active=True, is_on_duty=True).values(
            "id", "full_name", "email", "mobile_phone"
        )
    }
    members: dict[Any, set[Any]] = defaultdict(set)
    for group_id, operator_id in OperatorGroup.members.through.objects.values_list(
        "operatorgroup_id", "operator_id"
    ):
        members[group_id].add(operator_id)
    chosen: dict[int, set[Any]] = defaultdict(set)
    everyone: set[int] = set()
    for level_id, operator_id in EscalationLevel.operators.through.objects.values_list(
        "escalationlevel_id", "operator_id"
    ):
        chosen[level_id].add(operator_id)
    for level_id, group_id, is_everyone in EscalationLevel.operator_groups.through.objects.values_list(
        "escalationlevel_id", "operatorgroup_id", "operatorgroup__is_everyone"
    ):
        if is_everyone:
            everyone.add(level_id)
        chosen[level_id] |= members.get(group_id, set())
    ordered = sorted(operators.values(), key=lambda o: (o.full_name, str(o.id)))
    found: dict[int, tuple[OperatorInfo, ...]] = {}
    for level_id in set(chosen) | everyone:
        ids = chosen.get(level_id, set())
        found[level_id] = tuple(o for o in ordered if level_id in everyone or o.id in ids)
    return found


def build(version: int | None) -> Snapshot:
    """The configuration as it is now, tagged with ``version`` (read before)."""
    definitions = {row["id"]: row for row in AlertDefinition.objects.values("id", "name", "is_active")}
    links = _links()
    operators = _operators()
    levels: dict[int, Level] = {}
    for row in EscalationLevel.objects.values(
        "id",
        "definition_id",
        "number",
        "is_active",
        "mode",
        "threshold",
        "number_of_reminders",
        "reminder_delay_minutes",
        "message",
    ):
        definition = definitions[row["definition_id"]]
        levels[row["id"]] = Level(
            id=row["id"],
            definition_id=row["definition_id"],
            definition_name=definition["name"],
            definition_active=definition["is_active"],
            number=row["number"],
            is_active=row["is_active"],
            mode=row["mode"],
            threshold=row["threshold"],
            number_of_reminders=row["number_of_reminders"],
            reminder_delay_minutes=row["reminder_delay_minutes"],
            message=row["message"],
            links=tuple(links.get(row["id"], ())),
            operators=operators.get(row["id"], ()),
        )
    active_levels = tuple(
        sorted(
            (lv for lv in levels.values() if lv.is_active and lv.definition_active), key=lambda lv: lv.order
        )
    )

    everyone: set[Any] = set()
    by_group: dict[Any, set[Any]] = defaultdict(set)
    for definition_id, group_id, is_all in AlertDefinition.monitor_groups.through.objects.filter(
        alertdefinition__is_active=True
    ).values_list("alertdefinition_id", "monitorgroup_id", "monitorgroup__is_all_monitors"):
        if is_all:
            everyone.add(definition_id)
        else:
            by_group[group_id].add(definition_id)
    by_monitor: dict[Any, set[Any]] = defaultdict(set)
    for monitor_id, definition_id in AlertDefinition.monitors.through.objects.filter(
        alertdefinition__is_active=True
    ).values_list("monitor_id", "alertdefinition_id"):
        by_monitor[monitor_id].add(definition_id)

    of_monitor: dict[Any, list[Maintenance]] = defaultdict(list)
    of_group: dict[Any, list[Maintenance]] = defaultdict(list)
    everywhere: list[Maintenance] = []
    for period_row in MaintenancePeriod.objects.order_by("id").values(
        "monitor_id", "monitor_group_id", "monitor_group__is_all_monitors", "maintenance_type", *WINDOW_FIELDS
    ):
        period = Maintenance(period_row["maintenance_type"], _window(period_row))
        if period_row["monitor_id"] is not None:
            of_monitor[period_row["monitor_id"]].append(period)
        elif period_row["monitor_group__is_all_monitors"]:
            everywhere.append(period)
        else:
            of_group[period_row["monitor_group_id"]].append(period)

    # Only the membership of groups something above names matters.
    named = set(by_group) | set(of_group)
    groups_of: dict[Any, set[Any]] = defaultdict(set)
    if named:
        for monitor_id, group_id in MonitorGroup.monitors.through.objects.filter(
            monitorgroup_id__in=named
        ).values_list("monitor_id", "monitorgroup_id"):
            groups_of[monitor_id].add(group_id)

    return Snapshot(
        version=version,
        levels=MappingProxyType(levels),
        active_levels=active_levels,
        everyone=frozenset(everyone),
        by_group=_frozen(by_group),
        by_monitor=_frozen(by_monitor),
        groups_of_monitor=_frozen(groups_of),
        maintenance_of_monitor=MappingProxyType({k: tuple(v) for k, v in of_monitor.items()}),
        maintenance_of_group=MappingProxyType({k: tuple(v) for k, v in of_group.items()}),
        maintenance_everywhere=tuple(everywhere),
        stop_all=AccountSettings.objects.filter(Q(pk=1), Q(stop_all_alerts=True)).exists(),
    )
