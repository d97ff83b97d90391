"""Adding an integration: the type picker's entries and the add form's
initial values for the type picked (``?preset=<slug>`` or ``?kind=<kind>``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from integrations import kinds, presets
from integrations.models import IntegrationKind
from integrations.specs import VariableSpec

Initial = tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]

# One line per built-in type for the picker.
KIND_SUMMARIES = {
    IntegrationKind.EMAIL: gettext_lazy("E-mails the level's operators and any extra addresses."),
    IntegrationKind.SMS: gettext_lazy("Texts the level's on-duty operators through Twilio."),
    IntegrationKind.PHONE: gettext_lazy(
        "Calls the level's on-duty operators through Twilio and reads the alert out."
    ),
    IntegrationKind.SLACK: gettext_lazy("Posts to a Slack channel through an incoming webhook."),
    IntegrationKind.PAGERDUTY: gettext_lazy("Triggers and resolves PagerDuty incidents (Events API v2)."),
    IntegrationKind.STATUSHUB: gettext_lazy(
        "Updates StatusHub services linked to monitors on each escalation level."
    ),
    IntegrationKind.WEBHOOK: gettext_lazy(
        "From scratch: your own HTTP steps, headers and body over the alert variables."
    ),
}


def variable_rows(specs: tuple[VariableSpec, ...]) -> list[dict[str, Any]]:
    return [
        {
            "name": spec.name,
            "mode": spec.mode,
            "is_secret": spec.secret,
            "value": "" if spec.secret else spec.default,
            "description": spec.description[:300],
            "position": position,
        }
        for position, spec in enumerate(specs)
    ]


def preset_initial(slug: str) -> Initial:
    """The add form's initial values for an integration made from a preset."""
    preset = presets.get(slug)
    integration = {
        "kind": IntegrationKind.WEBHOOK,
        "preset": slug,
        "name": preset.name,
        "description": preset.description[:500],
    }
    steps = [
        {k: v for k, v in step.items() if k not in ("auth_password", "auth_token")} for step in preset.steps
    ]
    return integration, variable_rows(preset.variables), steps


def kind_initial(kind: str) -> Initial:
    steps: list[dict[str, Any]] = []
    if kind == IntegrationKind.WEBHOOK:
        steps = [{"position": 1, "name": "Send alert", "method": "POST", "content_type": "application/json"}]
    return {"kind": kind}, variable_rows(kinds.variable_specs(kind)), steps


def initial_for(
    request: HttpRequest,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """What the add form starts with, from the type picked (``?preset=`` or ``?kind=``)."""
    slug = request.GET.get("preset", "")
    if slug in presets.presets():
        return preset_initial(slug)
    kind = request.GET.get("kind", "")
    if kind in IntegrationKind.values:
        return kind_initial(kind)
    return {}, [], []
