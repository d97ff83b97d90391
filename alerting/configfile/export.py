"""Build the configuration document from the database, in a stable order."""

from __future__ import annotations

from typing import Any

from alerting.configfile import DOCUMENT_VERSION, spec
from alerting.configfile.inbound import export_inbound_sources
from alerting.configfile.vault_functions import export_functions, export_vault
from alerting.models import (
    AlertDefinition,
    MaintenancePeriod,
    Monitor,
    MonitorGroup,
    Operator,
    OperatorGroup,
)
from integrations.models import Integration

SYSTEM_OPERATOR_GROUPS = {"is_everyone": "everyone", "is_administrators": "administrators"}


def ids(objects: Any) -> list[str]:
    return sorted(str(obj.pk) for obj in objects)


def operator_group_system(group: OperatorGroup) -> str | None:
    return next((name for flag, name in SYSTEM_OPERATOR_GROUPS.items() if getattr(group, flag)), None)


def build_document(include_secrets: bool = False) -> dict[str, Any]:
    return {
        "version": DOCUMENT_VERSION,
        "operators": [export_operator(o) for o in Operator.objects.order_by("email")],
        "operator_groups": [
            export_operator_group(g)
            for g in OperatorGroup.objects.order_by("-is_everyone", "-is_administrators", "name")
        ],
        "monitors": [{"id": str(m.pk), **spec.row(m, spec.MONITOR)} for m in Monitor.objects.order_by("key")],
        "monitor_groups": [
            export_monitor_group(g) for g in MonitorGroup.objects.order_by("-is_all_monitors", "name")
        ],
        "maintenance_periods": sorted(
            (export_maintenance(p) for p in MaintenancePeriod.objects.all()), key=maintenance_sort_key
        ),
        "vault": export_vault(include_secrets),
        "integrations": [
            export_integration(i, include_secrets)
            for i in Integration.objects.order_by("-is_builtin", "kind", "name")
        ],
        "alert_definitions": [export_definition(d) for d in AlertDefinition.objects.order_by("name")],
        "inbound_sources": export_inbound_sources(),
    }


def export_operator(operator: Operator) -> dict[str, Any]:
    schedules = [spec.row(s, spec.SCHEDULE) for s in operator.off_duty_schedules.order_by("id")]
    return {"id": str(operator.pk), **spec.row(operator, spec.OPERATOR), "off_duty_schedules": schedules}


def export_operator_group(group: OperatorGroup) -> dict[str, Any]:
    data: dict[str, Any] = {"id": str(group.pk), "name": group.name}
    system = operator_group_system(group)
    if system:
        data["system"] = system
    if not group.is_everyone:
        data["members"] = ids(group.members.all())
    return data


def export_monitor_group(group: MonitorGroup) -> dict[str, Any]:
    data: dict[str, Any] = {"id": str(group.pk), "name": group.name}
    if group.is_all_monitors:
        data["system"] = "all_monitors"
    else:
        data["monitors"] = ids(group.monitors.all())
    return data


def export_maintenance(period: MaintenancePeriod) -> dict[str, Any]:
    target = (
        {"monitor": str(period.monitor_id)}
        if period.monitor_id
        else {"monitor_group": str(period.monitor_group_id)}
    )
    return {**target, **spec.row(period, spec.MAINTENANCE)}


def maintenance_sort_key(item: dict[str, Any]) -> str:
    import json

    return json.dumps(item, sort_keys=True)


def export_integration(integration: Integration, include_secrets: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"id": str(integration.pk)}
    if integration.is_builtin:
        data["builtin"] = True
    data.update(spec.row(integration, spec.INTEGRATION))
    if include_secrets and integration.signing_secrets:
        data["signing_secrets"] = list(integration.signing_secrets)
    variables = []
    for variable in integration.variables.order_by("position", "name"):
        item = spec.row(variable, spec.VARIABLE)
        if include_secrets and variable.is_secret:
            item["secret_value"] = variable.secret_value
        variables.append(item)
    steps = []
    for step in integration.steps.order_by("position"):
        item = spec.row(step, spec.STEP)
        if include_secrets:
            item.update({name: getattr(step, name) for name in spec.STEP_SECRETS if getattr(step, name)})
        steps.append(item)
    services = []
    for service in integration.statushub_services.order_by("name"):
        item = spec.row(service, spec.SERVICE)
        if include_secrets:
            item["webhook_url"] = service.webhook_url
        services.append(item)
    data.update(variables=variables, steps=steps, statushub_services=services)
    data["functions"] = export_functions(integration, include_secrets)
    return data


def export_definition(definition: AlertDefinition) -> dict[str, Any]:
    levels = []
    for level in definition.levels.order_by("number"):
        links = [
            {"integration": str(link.integration_id), **spec.row(link, spec.LINK)}
            for link in level.integration_links.order_by("integration_id")
        ]
        links.sort(key=lambda link: link["integration"])
        levels.append(
            {
                **spec.row(level, spec.LEVEL),
                "operators": ids(level.operators.all()),
                "operator_groups": ids(level.operator_groups.all()),
                "integrations": links,
            }
        )
    return {
        "id": str(definition.pk),
        **spec.row(definition, spec.DEFINITION),
        "monitors": ids(definition.monitors.all()),
        "monitor_groups": ids(definition.monitor_groups.all()),
        "levels": levels,
    }
