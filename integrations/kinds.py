"""Configuration of the built-in kinds as data (``kinds.json``): the
predefined variables each kind has and, for StatusHub, its default steps."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from integrations.specs import VariableSpec

if TYPE_CHECKING:
    from integrations.models import Integration

KINDS_PATH = Path(__file__).with_name("kinds.json")


@cache
def _load() -> dict[str, Any]:
    return json.loads(KINDS_PATH.read_text(encoding="utf-8"))


def variable_specs(kind: str) -> tuple[VariableSpec, ...]:
    return tuple(VariableSpec.from_data(v) for v in _load().get(kind, {}).get("variables", []))


def required_names(kind: str) -> list[str]:
    """The predefined variables a built-in kind's transport cannot send
    without. (A preset's variables are only named by its steps, which the user
    may edit; the steps' own check catches a name that is gone.)"""
    return [s.name for s in variable_specs(kind) if s.required]


def step_variables(kind: str) -> tuple[str, ...]:
    """Names a kind's transport supplies to its steps (StatusHub: the service)."""
    return tuple(_load().get(kind, {}).get("step_variables", []))


def default_step_data(kind: str) -> list[dict[str, Any]]:
    """The kind's steps as field values, used when an integration has none."""
    from integrations.presets import step_fields

    return [
        step_fields(data, position)
        for position, data in enumerate(_load().get(kind, {}).get("steps", []), start=1)
    ]


def spec_for(integration: Integration, name: str) -> VariableSpec | None:
    """The typed description of one of the integration's variables, if any."""
    from integrations import presets

    if integration.preset:
        preset = presets.presets().get(integration.preset)
        if preset and preset.variable(name):
            return preset.variable(name)
    return next((s for s in variable_specs(integration.kind) if s.name == name), None)
