"""The integration editor's inlines: predefined variables, steps, StatusHub services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from alerting.field_lists import rows
from integrations.admin.adding import initial_for
from integrations.admin.forms import (
    StatusHubServiceForm,
    StepForm,
    StepFormSet,
    VariableForm,
    VariableFormSet,
)
from integrations.field_lists import STEP_ROWS, VARIABLE_COLUMNS
from integrations.models import Integration, IntegrationStep, IntegrationVariable, StatusHubService


class HidesSecretsFromViewers:
    """Read-only rendering shows a field's stored value, so a viewer without the
    change permission gets no secret fields at all."""

    secret_fields: tuple[str, ...] = ()

    def get_fields(self, request: HttpRequest, obj: Integration | None = None) -> Any:
        fields = super().get_fields(request, obj)  # type: ignore[misc]
        if obj is not None and not self.has_change_permission(request, obj):  # type: ignore[attr-defined]
            fields = _without(fields, self.secret_fields)
        return fields


def _without(fields: Any, names: tuple[str, ...]) -> list[Any]:
    kept: list[Any] = []
    for field in fields:
        if isinstance(field, tuple | list):
            rest = tuple(f for f in field if f not in names)
            if rest:
                kept.append(rest)
        elif field not in names:
            kept.append(field)
    return kept


class VariableInline(HidesSecretsFromViewers, admin.TabularInline):
    secret_fields = ("secret_value",)
    model = IntegrationVariable
    form = VariableForm
    formset = VariableFormSet
    extra = 0
    fields = (*VARIABLE_COLUMNS, "position")
    verbose_name = _("predefined variable")
    verbose_name_plural = _("Predefined variables")

    def get_extra(self, request: HttpRequest, obj: Integration | None = None, **kwargs: Any) -> int:
        return len(initial_for(request)[1]) if obj is None and request.method == "GET" else 0


class StepInline(HidesSecretsFromViewers, admin.StackedInline):
    secret_fields = ("auth_password", "auth_token")
    model = IntegrationStep
    form = StepForm
    formset = StepFormSet
    extra = 0
    fields = rows(STEP_ROWS)
    verbose_name_plural = _("Steps (a message runs every step ticked for its alert type, in order)")

    def get_extra(self, request: HttpRequest, obj: Integration | None = None, **kwargs: Any) -> int:
        return len(initial_for(request)[2]) if obj is None and request.method == "GET" else 0


class StatusHubServiceInline(HidesSecretsFromViewers, admin.TabularInline):
    secret_fields = ("webhook_url",)
    model = StatusHubService
    form = StatusHubServiceForm
    extra = 0
