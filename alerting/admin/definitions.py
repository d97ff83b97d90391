from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from alerting.admin.coverage import definition_summary
from alerting.admin.level_forms import LevelForm, LevelFormSet
from alerting.field_lists import (
    DEFINITION,
    DEFINITION_RELATIONS,
    LEVEL_RELATIONS,
    LEVEL_ROWS,
    rows,
)
from alerting.models import AlertDefinition, EscalationLevel
from alerting.models.definitions import DEFAULT_LEVEL_COUNT
from integrations.field_lists import LINK_ROWS
from integrations.models import LevelIntegration


class EscalationLevelInline(admin.StackedInline):
    model = EscalationLevel
    form = LevelForm
    formset = LevelFormSet
    template = "admin/alerting/alertdefinition/levels_stacked.html"
    extra = 0
    fields = (*rows(LEVEL_ROWS), LEVEL_RELATIONS)
    verbose_name_plural = _("Escalation levels")

    def get_extra(self, request: HttpRequest, obj: AlertDefinition | None = None, **kwargs: Any) -> int:
        return DEFAULT_LEVEL_COUNT if obj is None else 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[EscalationLevel]:
        return super().get_queryset(request).prefetch_related("operators", "operator_groups")


@admin.register(AlertDefinition)
class AlertDefinitionAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active", "active_levels", "monitor_count", "group_count")
    list_filter = ("is_active",)
    search_fields = ("name",)
    filter_horizontal = ("monitors", "monitor_groups")
    inlines = [EscalationLevelInline]
    fields = (*DEFINITION, "coverage", *DEFINITION_RELATIONS)
    readonly_fields = ("coverage",)

    @property
    def media(self) -> forms.Media:
        # The catalogue first: levels.js reads its texts from it.
        return super().media + forms.Media(js=[reverse("javascript-catalog"), "alerting/levels.js"])

    @admin.display(description=_("Coverage"))
    def coverage(self, obj: AlertDefinition | None) -> SafeString:
        if obj is None or obj.pk is None or obj._state.adding:
            return format_html("{}", gettext("Shown once the definition is saved."))
        return definition_summary(obj)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        silent = [
            str(level.number)
            for level in form.instance.levels.filter(is_active=True)
            .annotate(
                _ops=Count("operators", distinct=True),
                _groups=Count("operator_groups", distinct=True),
                _links=Count("integration_links", filter=Q(integration_links__is_active=True), distinct=True),
            )
            .filter(_ops=0, _groups=0, _links=0)
        ]
        if silent:
            text = ngettext(
                "Level %(levels)s is active but notifies nobody: choose operators, an operator group or an "
                "integration.",
                "Levels %(levels)s are active but notify nobody: choose operators, an operator group or an "
                "integration.",
                len(silent),
            )
            messages.warning(request, text % {"levels": ", ".join(silent)})

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

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if isinstance(formset, LevelFormSet):
            formset.save_links()

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

    @admin.display(description=_("Active levels"), ordering="_active_levels")
    def active_levels(self, obj: AlertDefinition) -> int:
        return obj._active_levels  # type: ignore[attr-defined]  # annotated

    @admin.display(description=_("Monitors"))
    def monitor_count(self, obj: AlertDefinition) -> int:
        return obj._monitors  # type: ignore[attr-defined]  # annotated

    @admin.display(description=_("Monitor groups"))
    def group_count(self, obj: AlertDefinition) -> int:
        return obj._groups  # type: ignore[attr-defined]  # annotated


class LevelIntegrationInline(admin.StackedInline):
    model = LevelIntegration
    extra = 0
    fields = rows(LINK_ROWS)


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
    fields = (("definition", *LEVEL_ROWS[0]), *rows(LEVEL_ROWS[1:]), *LEVEL_RELATIONS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Levels are added on their alert definition's page.
        return False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return False
