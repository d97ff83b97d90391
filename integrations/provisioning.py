"""Creating the rows a preset or a built-in kind brings to an integration: a
service over the models (the presets and kinds themselves are data)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from integrations import kinds, presets
from integrations.models import Integration, IntegrationKind, IntegrationStep, IntegrationVariable


@transaction.atomic
def apply_preset(integration: Integration, slug: str) -> Integration:
    """Make ``integration`` a custom integration from the preset: its steps
    become the preset's, and its variables the preset's predefined ones
    (keeping values already entered for variables of the same name)."""
    preset = presets.get(slug)
    integration.kind = IntegrationKind.WEBHOOK
    integration.preset = slug
    if not integration.description:
        integration.description = preset.description[:500]
    integration.save()

    existing = {v.name: v for v in integration.variables.all()}
    for position, spec in enumerate(preset.variables):
        variable = existing.pop(spec.name, None) or IntegrationVariable(
            integration=integration, name=spec.name
        )
        had_value = bool(variable.get_value()) if variable.pk else False
        if variable.is_secret != spec.secret and had_value:
            value = variable.get_value()
            variable.value, variable.secret_value = ("", value) if spec.secret else (value, "")
        variable.is_secret = spec.secret
        variable.description = spec.description[:300]
        variable.position = position
        if not variable.pk:
            variable.mode = spec.mode
            if spec.secret:
                variable.secret_value = spec.default
            else:
                variable.value = spec.default
        variable.save()
    for stale in existing.values():
        stale.delete()

    integration.steps.all().delete()
    IntegrationStep.objects.bulk_create(
        IntegrationStep(integration=integration, **fields)
        for fields in preset.steps_in(settings.ACCOUNT_LANGUAGE)
    )
    return integration


def ensure_kind_variables(integration: Integration) -> None:
    """Create the kind's predefined variables that the integration lacks."""
    have = set(integration.variables.values_list("name", flat=True))
    for position, spec in enumerate(kinds.variable_specs(integration.kind)):
        if spec.name in have:
            continue
        IntegrationVariable.objects.create(
            integration=integration,
            name=spec.name,
            is_secret=spec.secret,
            description=spec.description[:300],
            position=position,
            value="" if spec.secret else spec.default,
            secret_value=spec.default if spec.secret else "",
        )
