"""Presets: custom integrations shipped as data, one JSON file each.

A file holds the preset's name, its predefined variables (typed, secrets
marked), its steps (a body may be written as a JSON object, which is stored
as indented JSON text) and optional ``value_limits``: the most characters each
variable may contribute (``"*"`` for the rest), so text fits the receiver's
limits and, being cut before encoding, never breaks the JSON around it.

Words people read are written ``⟦First error (UTC):⟧`` in a step: applying
the preset writes them in the account's language (``ACCOUNT_LANGUAGE``), and
from then on the steps are the user's text. ``phrases.py`` lists them for the
translation catalogues.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils import translation

from integrations.alert_types import STEP_FLAGS
from integrations.captures import normalized
from integrations.specs import VariableSpec

PRESET_DIR = Path(__file__).parent
PHRASE = re.compile(r"⟦(.+?)⟧", re.S)


@dataclass(frozen=True)
class Preset:
    slug: str
    name: str
    description: str
    variables: tuple[VariableSpec, ...]
    # The steps as data, phrases marked; ``steps`` is them in English.
    raw_steps: tuple[dict[str, Any], ...]
    value_limits: dict[str, int]

    def variable(self, name: str) -> VariableSpec | None:
        return next((v for v in self.variables if v.name == name), None)

    @property
    def steps(self) -> tuple[dict[str, Any], ...]:
        return self.steps_in("en")

    def steps_in(self, language: str) -> tuple[dict[str, Any], ...]:
        """The steps with their phrases in ``language``."""
        with translation.override(language):
            return tuple(step_fields(in_active_language(s), n) for n, s in enumerate(self.raw_steps, start=1))


def marked_phrases(data: Any) -> set[str]:
    """Every ⟦phrase⟧ in a preset's steps."""
    if isinstance(data, dict):
        return set().union(*(marked_phrases(v) for v in data.values())) if data else set()
    if isinstance(data, list):
        return set().union(*(marked_phrases(v) for v in data)) if data else set()
    return set(PHRASE.findall(data)) if isinstance(data, str) else set()


def in_active_language(data: Any) -> Any:
    """``data`` with each ⟦phrase⟧ translated (before a JSON body is written
    out, so a translation needs no escaping of its own)."""
    if isinstance(data, dict):
        return {k: in_active_language(v) for k, v in data.items()}
    if isinstance(data, list):
        return [in_active_language(v) for v in data]
    if isinstance(data, str):
        return PHRASE.sub(lambda m: translation.gettext(m.group(1)), data)
    return data


def step_fields(data: dict[str, Any], position: int) -> dict[str, Any]:
    body = data.get("body", "")
    if not isinstance(body, str):
        body = json.dumps(body, indent=2, ensure_ascii=False)
    types = set(data["alert_types"])
    return {
        "position": position,
        "name": data.get("name", ""),
        **{flag: alert_type in types for alert_type, flag in STEP_FLAGS.items()},
        "method": data["method"],
        "url": data["url"],
        "headers": [list(pair) for pair in data.get("headers", [])],
        "body": body,
        "content_type": data.get("content_type", "application/json"),
        "auth_type": data.get("auth_type", "none"),
        "auth_username": data.get("auth_username", ""),
        "auth_password": data.get("auth_password", ""),
        "auth_token": data.get("auth_token", ""),
        "captures": normalized(data.get("captures", [])),
    }


@cache
def presets() -> dict[str, Preset]:
    found: dict[str, Preset] = {}
    for path in sorted(PRESET_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        found[data["slug"]] = Preset(
            slug=data["slug"],
            name=data["name"],
            description=data.get("description", ""),
            variables=tuple(VariableSpec.from_data(v) for v in data.get("variables", [])),
            raw_steps=tuple(data["steps"]),
            value_limits=dict(data.get("value_limits", {})),
        )
    return found


def get(slug: str) -> Preset:
    try:
        return presets()[slug]
    except KeyError:
        raise ValueError(
            f"Unknown preset {slug!r}; the presets are {', '.join(sorted(presets()))}."
        ) from None


def choices() -> list[tuple[str, str]]:
    return [(p.slug, p.name) for p in sorted(presets().values(), key=lambda p: p.name.lower())]


def value_limits(slug: str) -> dict[str, int]:
    preset = presets().get(slug)
    return preset.value_limits if preset else {}
