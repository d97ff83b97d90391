"""The system-variable catalogue (``catalogue.json``): the 38 Uptrends variables,
alertsite's own extensions (``@incident.acknowledgeUrl``), ``@CustomField(name)``,
the encoding functions, the automatic variables (``@DateTime(…)``, ``@RandomGuid``, …), known aliases,
the kinds of user-defined function, the vault references and the step authentication types.

It is data, read once. The renderer, template validation, the admin side panel,
``GET /api/v1/variables`` and test sends all read it from here.

An alert's variable snapshot (``Alert.variables``) is keyed by the catalogue
names, e.g. ``{"@alert.description": "…"}``; custom fields are kept under
``custom_field_key(name)``, i.e. ``"@CustomField(ComponentId)"``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CATALOGUE_PATH = Path(__file__).with_name("catalogue.json")
GROUPS = ("alert", "alertDefinition", "escalationLevel", "incident", "monitor", "account")
CUSTOM_FIELD_FUNCTION = "@CustomField"


@dataclass(frozen=True)
class Variable:
    name: str  # "@alert.description"
    group: str  # "alert"
    key: str  # "description"
    meaning: str
    example: str
    time_form: str = ""  # "local", "local formatted", "UTC", "UTC formatted" for times
    extension: bool = False  # alertsite's own, not an Uptrends variable


@dataclass(frozen=True)
class Function:
    name: str  # "@JsonEncode"
    meaning: str


@cache
def _load() -> dict[str, Any]:
    return json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))


@cache
def variables() -> tuple[Variable, ...]:
    return tuple(Variable(**entry) for entry in _load()["variables"])


@cache
def extensions() -> tuple[Variable, ...]:
    """alertsite's own variables (not Uptrends'): made per message at delivery."""
    return tuple(Variable(**entry, extension=True) for entry in _load().get("extensions", []))


@cache
def variable_names() -> frozenset[str]:
    """Every system variable a template may name: Uptrends' and the extensions."""
    return frozenset(v.name for v in (*variables(), *extensions()))


@cache
def aliases() -> dict[str, str]:
    """Names that are not Uptrends variables but appear in bodies receivers
    publish for Uptrends users (``@account.id``), each read as the variable it
    stands for (``@account.accountId``)."""
    return {entry["name"]: entry["target"] for entry in _load().get("aliases", [])}


@cache
def functions() -> tuple[Function, ...]:
    return tuple(Function(**entry) for entry in _load()["functions"])


@dataclass(frozen=True)
class Automatic:
    name: str  # "@DateTime" or "@RandomGuid"
    arguments: str  # "format,offset"; "" for a plain variable
    token: str
    meaning: str
    example: str


@cache
def automatic() -> tuple[Automatic, ...]:
    """Uptrends' automatic variables: values made at render time."""
    return tuple(Automatic(**entry) for entry in _load().get("automatic", []))


@cache
def automatic_variable_names() -> frozenset[str]:
    return frozenset(a.name for a in automatic() if not a.arguments)


@cache
def function_names() -> frozenset[str]:
    """Everything written ``{{@Name(…)}}``: encoders and automatic functions."""
    return frozenset(f.name for f in functions()) | frozenset(a.name for a in automatic() if a.arguments)


@cache
def user_function_kinds() -> tuple[dict[str, str], ...]:
    """The kinds of user-defined function (Mapping, Regular expression, Hash)."""
    return tuple(_load().get("user_functions", []))


@cache
def vault_fields() -> tuple[dict[str, str], ...]:
    return tuple(_load().get("vault", []))


@cache
def auth_types() -> tuple[dict[str, Any], ...]:
    """The authentication types of a step, with the fields each one uses."""
    return tuple(_load().get("auth_types", []))


def custom_field_key(name: str) -> str:
    return f"{CUSTOM_FIELD_FUNCTION}({name.strip()})"


def example_custom_fields() -> dict[str, str]:
    return dict(_load()["custom_field"]["examples"])


def example_values(alert_type: str = "Alert", level: int = 1) -> dict[str, str]:
    """Fictitious values for every variable, as Uptrends fills them for a test.

    The alert type and level are the ones asked for; downtime is only known
    on an OK alert, so it is empty otherwise.
    """
    values = {v.name: v.example for v in (*variables(), *extensions())}
    values["@alert.type"] = alert_type
    values["@escalationLevel.id"] = str(level)
    if alert_type != "Ok":
        values["@alert.downtimeDuration"] = ""
    for name, value in example_custom_fields().items():
        values[custom_field_key(name)] = value
    return values


def as_api_list() -> list[dict[str, str]]:
    """Everything a template author can use, in catalogue order."""
    items: list[dict[str, str]] = [
        {
            "name": v.name,
            "token": "{{" + v.name + "}}",
            "group": v.group,
            "key": v.key,
            "meaning": v.meaning,
            "example": v.example,
            "time_form": v.time_form,
            "kind": "variable",
        }
        for v in variables()
    ]
    items.extend(
        {
            "name": v.name,
            "token": "{{" + v.name + "}}",
            "group": v.group,
            "key": v.key,
            "meaning": v.meaning,
            "example": v.example,
            "time_form": "",
            "kind": "extension",
        }
        for v in extensions()
    )
    custom = _load()["custom_field"]
    field, value = next(iter(custom["examples"].items()))
    items.append(
        {
            "name": custom["name"],
            "token": "{{" + custom_field_key(field) + "}}",
            "group": custom["group"],
            "key": "",
            "meaning": custom["meaning"],
            "example": value,
            "time_form": "",
            "kind": "custom_field",
        }
    )
    for a in automatic():
        items.append(
            {
                "name": a.name + (f"({a.arguments})" if a.arguments else ""),
                "token": a.token,
                "group": "automatic",
                "key": "",
                "meaning": a.meaning,
                "example": a.example,
                "time_form": "UTC" if a.name == "@DateTime" else "",
                "kind": "automatic",
            }
        )
    for f in functions():
        items.append(
            {
                "name": f.name + "(…)",
                "token": "{{" + f.name + "({{@monitor.notes}})}}",
                "group": "function",
                "key": "",
                "meaning": f.meaning,
                "example": "",
                "time_form": "",
                "kind": "function",
            }
        )
    for kind in user_function_kinds():
        items.append(
            {
                "name": f"{kind['name']} function",
                "token": kind["token"],
                "group": "user_function",
                "key": kind["kind"],
                "meaning": kind["meaning"] + " Defined per integration; called without @ by its name.",
                "example": kind["example"],
                "time_form": "",
                "kind": "user_function",
            }
        )
    for entry in vault_fields():
        items.append(
            {
                "name": f"@VaultItem.<id>.{entry['field']}",
                "token": "{{@VaultItem.<id>." + entry["field"] + "}}",
                "group": "vault",
                "key": entry["field"],
                "meaning": entry["meaning"],
                "example": "",
                "time_form": "",
                "kind": "vault",
            }
        )
    return items
