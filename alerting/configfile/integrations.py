"""Applying integrations: their fields, predefined variables, steps and
StatusHub services. A secret the file leaves out keeps its stored value."""

from __future__ import annotations

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
    raise_validation,
    thing,
    where,
)
from alerting.configfile.vault_functions import sync_functions
from integrations import captures
from integrations.models import Integration, IntegrationStep, IntegrationVariable, StatusHubService
from integrations.validation import steps_names, variable_names

if TYPE_CHECKING:
    from alerting.configfile.apply import Applier


def apply_integrations(applier: Applier) -> None:
    for entry in applier.entries["integrations"]:
        item, label = entry.item, entry.label
        row = desired_row(Integration, spec.INTEGRATION, item, "integrations", label)
        if entry.obj is not None and getattr(entry.obj, "kind", None) != row["kind"]:
            raise ConfigError(
                gettext("%(place)s: the kind of an integration cannot change.")
                % {"place": where("integrations", label, "kind")}
            )
        integration, changed = applier.upsert("integrations", entry, row)
        if "signing_secrets" in item:
            changed += sync_signing_secrets(integration, item["signing_secrets"], label)
        # Functions first: the variables' templates (e-mail subjects) and the
        # steps' are checked against them.
        changed += sync_functions(integration, item.get("functions") or [], label)
        changed += sync_variables(integration, item.get("variables") or [], label)
        changed += sync_steps(integration, item.get("steps") or [], label)
        changed += sync_services(integration, item.get("statushub_services") or [], label)
        applier.report.changed(thing(gettext_noop("integration"), label), changed)


def sync_signing_secrets(integration: Integration, raw: Any, label: str) -> list[str]:
    place = where("integrations", label, "signing_secrets")
    wanted = expect(raw, list, place, "a list")
    if wanted == list(integration.signing_secrets or []):
        return []
    integration.signing_secrets = wanted
    clean_and_save(integration, "integrations", label)
    return ["signing_secrets"]


def _items(raw: Any, place: str, allowed: set[str]) -> list[dict[str, Any]]:
    items = expect(raw, list, place, "a list")
    for index, item in enumerate(items):
        expect(item, dict, f"{place}[{index}]", "a mapping")
        check_keys(item, allowed, f"{place}[{index}]")
    return items


def sync_variables(integration: Integration, raw: Any, label: str) -> list[str]:
    place = where("integrations", label, "variables")
    items = _items(raw, place, {*spec.VARIABLE, *spec.VARIABLE_SECRETS})
    existing = {v.name: v for v in integration.variables.all()}
    changed: list[str] = []
    names = []
    for index, item in enumerate(items):
        prefix = f"variables[{index}]."
        row = desired_row(IntegrationVariable, spec.VARIABLE, item, "integrations", label, prefix)
        names.append(row["name"])
        variable = existing.get(row["name"]) or IntegrationVariable(integration=integration)
        fields = assign(variable, row)
        if variable.position != index:
            variable.position = index
            fields.append("position")
        if "secret_value" in item and item["secret_value"] != variable.secret_value:
            variable.secret_value = expect(
                item["secret_value"], str, f"{place}[{index}].secret_value", "a string"
            )
            fields.append("secret_value")
        if not variable.is_secret and variable.secret_value:
            variable.secret_value = ""
            fields.append("secret_value")
        if fields:
            unknown_secret = variable.is_secret and "secret_value" not in item and not variable.secret_value
            tolerate = ("secret_value",) if unknown_secret else ()
            clean_and_save(
                variable, "integrations", label, prefix, exclude=("integration",), tolerate=tolerate
            )
            changed.append(
                f"variables[{row['name']}]" + (gettext(" (secret not set)") if unknown_secret else "")
            )
    stale = integration.variables.exclude(name__in=names)
    for variable in stale:
        changed.append(f"variables[{variable.name}]" + gettext(" (deleted)"))
    stale.delete()
    return changed


def sync_steps(integration: Integration, raw: Any, label: str) -> list[str]:
    place = where("integrations", label, "steps")
    items = _items(raw, place, {*spec.STEP, *spec.STEP_SECRETS})
    wanted = []
    for index, item in enumerate(items):
        row = desired_row(
            IntegrationStep,
            spec.STEP,
            {"position": index + 1, **item},
            "integrations",
            label,
            f"steps[{index}].",
        )
        for name in spec.STEP_SECRETS:
            if name in item:
                row[name] = expect(item[name], str, f"{place}[{index}].{name}", "a string")
        if not captures.definition_errors(row["captures"]):
            # Flags left out of the file take their defaults, as when stored.
            row["captures"] = captures.normalized(row["captures"])
        wanted.append(row)
    existing = {s.position: s for s in integration.steps.all()}
    current = [
        {**current_row(s, spec.STEP), **{n: getattr(s, n) for n in spec.STEP_SECRETS}}
        for s in existing.values()
    ]
    merged = []
    for row in wanted:
        old = existing.get(row["position"])
        # A secret left out of the file keeps the value of the step at the same position.
        secrets = {n: getattr(old, n) if old else "" for n in spec.STEP_SECRETS}
        merged.append({**row, **{n: row.get(n, secrets[n]) for n in spec.STEP_SECRETS}})
    if sorted(current, key=lambda r: r["position"]) == sorted(merged, key=lambda r: r["position"]):
        return []
    positions = [row["position"] for row in merged]
    if len(positions) != len(set(positions)):
        raise ConfigError(gettext("%(place)s: each position may appear only once.") % {"place": place})
    integration.steps.all().delete()
    names = variable_names(integration)
    steps = []
    for row in merged:
        step = IntegrationStep(integration=integration)
        assign(step, {k: v for k, v in row.items() if k not in spec.STEP_SECRETS})
        for name in spec.STEP_SECRETS:
            setattr(step, name, row[name])
        steps.append(step)
    usable = steps_names(steps, names)
    for index, fields in captures.chain_errors(steps, names).items():
        raise_validation("integrations", label, ValidationError(fields), f"steps[{index}].")
    for index, (row, step) in enumerate(zip(merged, steps, strict=True)):
        step.known_variable_names = usable  # type: ignore[attr-defined]
        missing = tuple(n for n in spec.STEP_SECRETS if n not in items[index] and not row[n])
        clean_and_save(
            step, "integrations", label, f"steps[{index}].", exclude=("integration",), tolerate=missing
        )
    return ["steps"]


def sync_services(integration: Integration, raw: Any, label: str) -> list[str]:
    place = where("integrations", label, "statushub_services")
    items = _items(raw, place, {*spec.SERVICE, *spec.SERVICE_SECRETS})
    existing = {s.name: s for s in integration.statushub_services.all()}
    changed: list[str] = []
    for index, item in enumerate(items):
        name = expect(item.get("name"), str, f"{place}[{index}].name", "a string")
        service = existing.get(name) or StatusHubService(integration=integration, name=name)
        url = item.get("webhook_url")
        if service.pk is None or (url is not None and url != service.webhook_url):
            # A file exported without secrets has no URL: the service is created
            # without one (like a secret variable) until a file or the admin sets it.
            service.webhook_url = expect(url or "", str, f"{place}[{index}].webhook_url", "a string")
            clean_and_save(
                service,
                "integrations",
                label,
                f"statushub_services[{index}].",
                exclude=("integration",) if url else ("integration", "webhook_url"),
            )
            changed.append(f"statushub_services[{name}]" + ("" if url else gettext(" (URL not set)")))
    stale = integration.statushub_services.exclude(name__in=[i.get("name") for i in items])
    for service in stale:
        changed.append(f"statushub_services[{service.name}]" + gettext(" (deleted)"))
    stale.delete()
    return changed
