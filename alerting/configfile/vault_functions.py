"""The vault and integrations' user-defined functions in the configuration
document. A secret the file leaves out (an export without ``--secrets``)
keeps its stored value; a new item or function created without it is
reported as such."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext, gettext_noop

from alerting.configfile.base import (
    ConfigError,
    assign,
    check_keys,
    clean_and_save,
    desired_row,
    expect,
    thing,
    where,
)
from integrations.field_lists import FUNCTION, FUNCTION_SECRETS, VAULT, VAULT_SECRETS
from integrations.models import Integration, IntegrationFunction, VaultItem

if TYPE_CHECKING:
    from alerting.configfile.apply import Applier


def export_vault(include_secrets: bool) -> list[dict[str, Any]]:
    from alerting.configfile import spec

    items = []
    for item in VaultItem.objects.order_by("name"):
        data = {"id": str(item.pk), **spec.row(item, VAULT)}
        if include_secrets:
            data.update({name: getattr(item, name) for name in VAULT_SECRETS if getattr(item, name)})
        items.append(data)
    return items


def export_functions(integration: Integration, include_secrets: bool) -> list[dict[str, Any]]:
    from alerting.configfile import spec

    out = []
    for function in integration.functions.order_by("position", "name"):
        item = spec.row(function, FUNCTION)
        if include_secrets and function.hash_key:
            item["hash_key"] = function.hash_key
        out.append(item)
    return out


def apply_vault(applier: Applier) -> None:
    for entry in applier.entries["vault"]:
        item, label = entry.item, entry.label
        row = desired_row(VaultItem, VAULT, item, "vault", label)
        created = entry.obj is None
        vault_item, changed = applier.upsert("vault", entry, row)
        secret_changes = []
        for name in VAULT_SECRETS:
            if name in item:
                value = expect(item[name], str, where("vault", label, name), "a string")
                if value != getattr(vault_item, name):
                    setattr(vault_item, name, value)
                    secret_changes.append(name)
        if created and "password" not in item:
            # Exported without secrets: set it in the admin or with a file that has it.
            changed.append("(password not set)")
        if secret_changes:
            clean_and_save(vault_item, "vault", label)
        applier.report.changed(thing(gettext_noop("vault item"), label), changed + secret_changes)


def sync_functions(integration: Integration, raw: Any, label: str) -> list[str]:
    place = where("integrations", label, "functions")
    items = expect(raw, list, place, "a list")
    check_unique_names(items, place)
    existing = {f.name: f for f in integration.functions.all()}
    changed: list[str] = []
    names = []
    for index, item in enumerate(items):
        expect(item, dict, f"{place}[{index}]", "a mapping")
        check_keys(item, {*FUNCTION, *FUNCTION_SECRETS}, f"{place}[{index}]")
        prefix = f"functions[{index}]."
        row = desired_row(IntegrationFunction, FUNCTION, item, "integrations", label, prefix)
        names.append(row["name"])
        function = existing.get(row["name"]) or IntegrationFunction(integration=integration)
        fields = assign(function, row)
        if function.position != index:
            function.position = index
            fields.append("position")
        if "hash_key" in item and item["hash_key"] != function.hash_key:
            function.hash_key = expect(item["hash_key"], str, f"{place}[{index}].hash_key", "a string")
            fields.append("hash_key")
        if fields:
            # A key the file does not carry cannot be checked (an export without secrets).
            unknown_key = "hash_key" not in item and not function.hash_key
            clean_and_save(
                function,
                "integrations",
                label,
                prefix,
                exclude=("integration",),
                tolerate=("hash_key",) if unknown_key else (),
            )
            changed.append(f"functions[{row['name']}]" + (gettext(" (key not set)") if unknown_key else ""))
    stale = integration.functions.exclude(name__in=names)
    for function in stale:
        changed.append(f"functions[{function.name}]" + gettext(" (deleted)"))
    stale.delete()
    return changed


def check_unique_names(items: list[Any], place: str) -> None:
    names = [item.get("name") for item in items if isinstance(item, dict)]
    if len(names) != len(set(names)):
        raise ConfigError(gettext("%(place)s: each function name may appear only once.") % {"place": place})
