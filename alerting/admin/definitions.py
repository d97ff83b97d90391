from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from alerting.models import AlertDefinition, EscalationLevel, LevelIntegration
from alerting.models.definitions import DEFAULT_LEVEL_COUNT, validate_level_numbers


class LevelFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        numbers = [
            form.cleaned_data["number"]
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and "number" in form.cleaned_data
        ]
        if numbers:
            try:
                validate_level_numbers(numbers)
            except ValidationError as exc:
                raise ValidationError(exc.messages) from None


class EscalationLevelInline(admin.StackedInline):
    model = EscalationLevel
    formset = LevelFormSet
    extra = 0
    fields = (
        ("number", "is_active"),
        ("mode", "threshold"),
        ("number_of_reminders", "reminder_delay_minutes"),
        "message",
        "operators",
        "operator_groups",
        "integrations_link",
    )
    readonly_fields = ("integrations_link",)
    filter_horizontal = ("operators", "operator_groups")

    def get_extra(self, request: HttpRequest, obj: AlertDefinition | None = None, **kwargs: Any) -> int:
        return DEFAULT_LEVEL_COUNT if obj is None else 0

    @admin.display(description="Integrations")
    def integrations_link(self, obj: EscalationLevel) -> str:
        if not obj.pk:
            return "Save the definition first, then add integrations to this level."
        names = ", ".join(link.integration.name for link in obj.integration_links.all()) or "none yet"
        url = reverse("admin:alerting_escalationlevel_change", args=[obj.pk])
        return format_html('{} — <a href="{}">edit this level\'s integrations</a>', names, url)

    def get_queryset(self, request: HttpRequest) -> QuerySet[EscalationLevel]:
        return super().get_queryset(request).prefetch_related("integration_links__integration")


@admin.register(AlertDefinition)
class AlertDefinitionAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active", "active_levels", "monitor_count", "group_count")
    list_filter = ("is_active",)
    search_fields = ("name",)
    filter_horizontal = ("monitors", "monitor_groups")
    inlines = [EscalationLevelInline]
    fields = ("name", "is_active", "monitor_groups", "monitors")

    def get_formset_kwargs(
        self, request: HttpRequest, obj: AlertDefinition, inline: Any, prefix: str
    ) -> dict[str, Any]:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, EscalationLevelInline) and obj._state.adding and request.method == "GET":
            # A new definition starts with levels 1..3, as in Uptrends.
            kwargs["initial"] = [
                {"number": n, "is_active": n == 1, "threshold": n} for n in range(1, DEFAULT_LEVEL_COUNT + 1)
            ]
        return kwargs

    def get_queryset(self, request: HttpRequest) -> QuerySet[AlertDefinition]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                _active_levels=Count("levels", filter=Q(levels__is_active=True), distinct=True),
                _monitors=Count("monitors", distinct=True),
                _groups=Count("monitor_groups", distinct=True),
            )
        )

    @admin.display(description="Active levels", ordering="_active_levels")
    def active_levels(self, obj: AlertDefinition) -> int:
        return obj._active_levels

    @admin.display(description="Monitors")
    def monitor_count(self, obj: AlertDefinition) -> int:
        return obj._monitors

    @admin.display(description="Monitor groups")
    def group_count(self, obj: AlertDefinition) -> int:
        return obj._groups


class LevelIntegrationInline(admin.StackedInline):
    model = LevelIntegration
    extra = 0
    fields = (
        ("integration", "is_active"),
        ("send_ok_alerts", "send_reminders"),
        "variable_values",
        "extra_email_addresses",
        "statushub_service_links",
    )


@admin.register(EscalationLevel)
class EscalationLevelAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "is_active",
        "mode",
        "threshold",
        "number_of_reminders",
        "reminder_delay_minutes",
    )
    list_filter = ("is_active", "mode", "definition")
    list_select_related = ("definition",)
    search_fields = ("definition__name", "message")
    filter_horizontal = ("operators", "operator_groups")
    inlines = [LevelIntegrationInline]
    readonly_fields = ("definition", "number")
    fields = (
        ("definition", "number", "is_active"),
        ("mode", "threshold"),
        ("number_of_reminders", "reminder_delay_minutes"),
        "message",
        "operators",
        "operator_groups",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Levels are added on their alert definition's page.
        return False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return False
