"""Applying what hangs off an object: off-duty schedules, maintenance periods
and alert definitions with their levels and links."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop

from alerting.configfile import spec
from alerting.configfile.base import (
    ConfigError,
    assign,
    check_keys,
    clean_and_save,
    current_row,
    desired_row,
    expect,
    thing,
    where,
)
from alerting.configfile.integrations import apply_integrations
from alerting.definition_checks import link_errors
from alerting.models import AlertDefinition, EscalationLevel, MaintenancePeriod, OffDutySchedule, Operator
from alerting.models.definitions import validate_level_numbers
from alerting.models.schedules import ScheduleWindow
from integrations.models import LevelIntegration

if TYPE_CHECKING:
    from alerting.configfile.apply import Applier

__all__ = ["apply_definitions", "apply_integrations", "apply_maintenance", "sync_schedules"]


def sync_schedules(operator: Operator, raw: Any, label: str) -> bool:
    """Replace the operator's schedules when they differ; True if they did."""
    place = where("operators", label, "off_duty_schedules")
    wanted = []
    for index, item in enumerate(expect(raw, list, place, "a list")):
        item = expect(item, dict, f"{place}[{index}]", "a mapping")
        check_keys(item, set(spec.SCHEDULE), f"{place}[{index}]")
        wanted.append(
            desired_row(
                OffDutySchedule, spec.SCHEDULE, item, "operators", label, f"off_duty_schedules[{index}]."
            )
        )
    current = [current_row(s, spec.SCHEDULE) for s in operator.off_duty_schedules.order_by("id")]
    if current == wanted:
        return False
    operator.off_duty_schedules.all().delete()
    for index, row in enumerate(wanted):
        schedule = OffDutySchedule(operator=operator)
        assign(schedule, row)
        clean_and_save(schedule, "operators", label, f"off_duty_schedules[{index}].")
    return True


def apply_maintenance(applier: Applier) -> None:
    """Maintenance periods have no identity of their own: a period is the same
    when its target and every field are the same."""
    items = applier.items("maintenance_periods")
    wanted: list[tuple[str, dict[str, Any]]] = []
    for index, item in enumerate(items):
        label = f"#{index + 1}"
        place = where("maintenance_periods", label)
        check_keys(item, {"monitor", "monitor_group", *spec.MAINTENANCE}, place)
        if ("monitor" in item) == ("monitor_group" in item):
            raise ConfigError(
                gettext("%(place)s: give either monitor or monitor_group (exactly one).") % {"place": place}
            )
        row = desired_row(MaintenancePeriod, spec.MAINTENANCE, item, "maintenance_periods", label)
        if "monitor" in item:
            target = {"monitor_id": applier.resolve("monitors", item["monitor"], f"{place}.monitor")}
        else:
            target = {
                "monitor_group_id": applier.resolve(
                    "monitor_groups", item["monitor_group"], f"{place}.monitor_group"
                )
            }
        row_key = _key(target, row)
        wanted.append((row_key, {"target": target, "row": row, "label": label}))
    existing: dict[str, list[MaintenancePeriod]] = {}
    for period in MaintenancePeriod.objects.order_by("id"):
        target = (
            {"monitor_id": period.monitor_id}
            if period.monitor_id
            else {"monitor_group_id": period.monitor_group_id}
        )
        existing.setdefault(_key(target, current_row(period, spec.MAINTENANCE)), []).append(period)
    for row_key, data in wanted:
        if existing.get(row_key):
            existing[row_key].pop()
            continue
        period = MaintenancePeriod(**data["target"])
        assign(period, data["row"])
        try:
            ScheduleWindow.clean(period)
        except ValidationError as exc:
            raise ConfigError(
                f"{where('maintenance_periods', data['label'])}: {' '.join(exc.messages)}"
            ) from None
        clean_and_save(period, "maintenance_periods", data["label"])
        applier.report.created(thing(gettext_noop("maintenance period"), period))
    if applier.prune:
        for periods in existing.values():
            for period in periods:
                applier.report.deleted(thing(gettext_noop("maintenance period"), period))
                period.delete()


def _key(target: dict[str, Any], row: dict[str, Any]) -> str:
    return json.dumps({**{k: str(v) for k, v in target.items()}, **row}, sort_keys=True, default=str)


def apply_definitions(applier: Applier) -> None:
    for entry in applier.entries["alert_definitions"]:
        label = entry.label
        row = desired_row(AlertDefinition, spec.DEFINITION, entry.item, "alert_definitions", label)
        is_new = entry.obj is None
        definition, changed = applier.upsert("alert_definitions", entry, row)
        for key, section in (("monitors", "monitors"), ("monitor_groups", "monitor_groups")):
            place = where("alert_definitions", label, key)
            wanted = {
                applier.resolve(section, ref, place)
                for ref in expect(entry.item.get(key) or [], list, place, "a list")
            }
            relation = getattr(definition, key)
            if wanted != set(relation.values_list("pk", flat=True)):
                relation.set(wanted)
                changed.append(key)
        if "levels" in entry.item:
            changed += sync_levels(applier, definition, entry.item["levels"], label)
        elif is_new:
            definition.add_default_levels()
        applier.report.changed(thing(gettext_noop("alert definition"), label), changed)


LEVEL_KEYS = {"operators", "operator_groups", "integrations", *spec.LEVEL}
LINK_KEYS = {"integration", *spec.LINK}


def sync_levels(applier: Applier, definition: Any, raw: Any, label: str) -> list[str]:
    place = where("alert_definitions", label, "levels")
    items = expect(raw, list, place, "a list")
    for index, item in enumerate(items):
        expect(item, dict, f"{place}[{index}]", "a mapping")
        check_keys(item, LEVEL_KEYS, f"{place}[{index}]")
    numbers = [item.get("number") for item in items]
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
        raise ConfigError(gettext("%(place)s: every level needs its number (1, 2, 3, …).") % {"place": place})
    try:
        validate_level_numbers(numbers)
    except ValidationError as exc:
        raise ConfigError(f"{place}: {' '.join(exc.messages)}") from None
    if not items:
        raise ConfigError(gettext("%(place)s: a definition needs at least level 1.") % {"place": place})
    changed: list[str] = []
    existing = {level.number: level for level in definition.levels.all()}
    for item in items:
        number = item["number"]
        prefix = f"levels[{number}]."
        row = desired_row(EscalationLevel, spec.LEVEL, item, "alert_definitions", label, prefix)
        level = existing.get(number) or EscalationLevel(definition=definition)
        fields = assign(level, row)
        if fields:
            clean_and_save(level, "alert_definitions", label, prefix, exclude=("definition",))
            changed.append(f"levels[{number}]" + ("" if number in existing else gettext(" (new)")))
        for key, section in (("operators", "operators"), ("operator_groups", "operator_groups")):
            refs = expect(item.get(key) or [], list, f"{place}[{number}].{key}", "a list")
            wanted = {applier.resolve(section, ref, f"{place}[{number}].{key}") for ref in refs}
            relation = getattr(level, key)
            if wanted != set(relation.values_list("pk", flat=True)):
                relation.set(wanted)
                changed.append(f"levels[{number}].{key}")
        if sync_links(applier, level, item.get("integrations") or [], label, number):
            changed.append(f"levels[{number}].integrations")
    stale = definition.levels.exclude(number__in=numbers)
    for level in stale:
        changed.append(f"levels[{level.number}]" + gettext(" (deleted)"))
    stale.delete()
    return changed


def sync_links(applier: Applier, level: EscalationLevel, raw: Any, label: str, number: int) -> bool:
    place = where("alert_definitions", label, f"levels[{number}].integrations")
    items = expect(raw, list, place, "a list")
    from integrations.models import Integration

    wanted: dict[Any, dict[str, Any]] = {}
    for index, item in enumerate(items):
        item = expect(item, dict, f"{place}[{index}]", "a mapping")
        check_keys(item, LINK_KEYS, f"{place}[{index}]")
        integration_id = applier.resolve(
            "integrations", item.get("integration"), f"{place}[{index}].integration"
        )
        if integration_id in wanted:
            raise ConfigError(
                gettext("%(place)s: linked twice to this level.") % {"place": f"{place}[{index}].integration"}
            )
        row = desired_row(
            LevelIntegration,
            spec.LINK,
            item,
            "alert_definitions",
            label,
            f"levels[{number}].integrations[{index}].",
        )
        integration = Integration.objects.get(pk=integration_id)
        for field, message in link_errors(
            integration, row["variable_values"], row["extra_email_addresses"], row["statushub_service_links"]
        ).items():
            raise ConfigError(f"{place}[{index}].{field}: {message}")
        wanted[integration_id] = row
    existing = {link.integration_id: link for link in level.integration_links.all()}
    changed = False
    for integration_id, row in wanted.items():
        link = existing.get(integration_id) or LevelIntegration(level=level, integration_id=integration_id)
        if assign(link, row):
            clean_and_save(
                link,
                "alert_definitions",
                label,
                f"levels[{number}].integrations.",
                exclude=("level", "integration"),
            )
            changed = True
    stale = level.integration_links.exclude(integration_id__in=list(wanted))
    if stale.exists():
        stale.delete()
        changed = True
    return changed
