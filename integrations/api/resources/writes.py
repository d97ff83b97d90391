"""Writing an integration's nested parts from validated API data, each part
checked by its model's ``clean()`` (the admin's rules) before it is saved.
Callers run inside a transaction, so a refusal half way changes nothing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import serializers

from integrations import captures
from integrations.models import (
    Integration,
    IntegrationFunction,
    IntegrationStep,
    IntegrationVariable,
    StatusHubService,
)
from integrations.validation import all_step_errors, steps_names, variable_names


def full_clean(obj: models.Model, path: list[str | int], exclude: tuple[str, ...] = ()) -> None:
    """Raise the model's validation errors as a 400 placed at ``path`` in the
    request (e.g. steps → 0 → url)."""
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except DjangoValidationError as exc:
        raise nested_error(path, serializers.as_serializer_error(exc)) from None


def nested_error(path: list[str | int], detail: Any) -> serializers.ValidationError:
    for key in reversed(path):
        detail = {str(key): detail}
    return serializers.ValidationError(detail)


def apply_variables(integration: Integration, items: list[dict[str, Any]], replace: bool) -> None:
    """Variables are matched by name; ``replace`` deletes the ones not sent."""
    existing = {v.name: v for v in integration.variables.all()}
    for index, item in enumerate(items):
        variable = existing.get(item["name"]) or IntegrationVariable(
            integration=integration, name=item["name"]
        )
        plain_before = variable.value if variable.pk and not variable.is_secret else ""
        for field in ("mode", "is_secret", "description"):
            if field in item:
                setattr(variable, field, item[field])
        if replace:
            variable.position = index
        elif not variable.pk:
            variable.position = len(existing) + index
        if variable.is_secret:
            if "secret_value" in item:
                variable.secret_value = item["secret_value"]
            elif plain_before:
                # Turned secret: the value it had becomes the secret.
                variable.secret_value = plain_before
            variable.value = ""
        else:
            variable.value = item.get("value", variable.value)
            variable.secret_value = ""
        full_clean(variable, ["variables", index], exclude=("integration",))
        variable.save()
    if replace:
        integration.variables.exclude(name__in=[item["name"] for item in items]).delete()


def apply_steps(integration: Integration, items: list[dict[str, Any]]) -> None:
    """The steps become the ones sent (matched by position, for kept secrets)."""
    existing = {s.position: s for s in integration.steps.all()}
    names = variable_names(integration)
    # Positions are unique per integration: clear the old rows first so that
    # reordering never trips the constraint midway.
    integration.steps.all().delete()
    steps = []
    for index, item in enumerate(items):
        position = item.get("position", index + 1)
        step = IntegrationStep(integration=integration, position=position)
        old = existing.get(position)
        if old is not None:
            # Secrets left out of the request are kept from the step at this position.
            step.auth_password, step.auth_token = old.auth_password, old.auth_token
        for field, value in item.items():
            if field == "captures":
                value = [dict(capture) for capture in value]
            setattr(step, field, value)
        steps.append(step)
    usable = steps_names(steps, names)
    for index, step in enumerate(steps):
        step.known_variable_names = usable  # type: ignore[attr-defined]
        full_clean(step, ["steps", index], exclude=("integration",))
    for index, fields in captures.chain_errors(steps, names).items():
        raise nested_error(["steps", index], fields)
    for step in steps:
        step.save()


def check_saved_steps(integration: Integration, field: str = "variables") -> None:
    """After variables (or functions) change without the steps being sent: the
    steps must still only use variables and functions that exist."""
    problems = all_step_errors(integration.steps.order_by("position"), variable_names(integration))
    if problems:
        raise serializers.ValidationError({field: problems})


def apply_services(integration: Integration, items: list[dict[str, Any]]) -> None:
    existing = {s.name: s for s in integration.statushub_services.all()}
    for index, item in enumerate(items):
        service = existing.get(item["name"]) or StatusHubService(integration=integration, name=item["name"])
        if "webhook_url" in item:
            service.webhook_url = item["webhook_url"]
        if not service.webhook_url:
            raise nested_error(["statushub_services", index, "webhook_url"], ["A service needs its URL."])
        full_clean(service, ["statushub_services", index], exclude=("integration",))
        service.save()
    integration.statushub_services.exclude(name__in=[item["name"] for item in items]).delete()


def apply_functions(integration: Integration, items: list[dict[str, Any]]) -> None:
    """The functions become the ones sent, matched by name; a hash key left
    out keeps the stored one."""
    existing = {f.name: f for f in integration.functions.all()}
    for index, item in enumerate(items):
        function = existing.get(item["name"]) or IntegrationFunction(
            integration=integration, name=item["name"]
        )
        for field, value in item.items():
            setattr(function, field, value)
        function.position = index
        full_clean(function, ["functions", index], exclude=("integration",))
        function.save()
    integration.functions.exclude(name__in=[item["name"] for item in items]).delete()
