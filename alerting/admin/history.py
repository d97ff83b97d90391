"""Read-only history: check results, incidents, alerts."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from alerting.models import Alert, CheckResult, Incident


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


@admin.register(CheckResult)
class CheckResultAdmin(ReadOnlyAdmin):
    list_display = ("timestamp", "monitor", "status", "short_description", "checkpoint", "out_of_order")
    list_filter = ("status", "out_of_order", "timestamp")
    list_select_related = ("monitor",)
    search_fields = ("monitor__name", "monitor__key", "description")
    date_hierarchy = "timestamp"
    show_full_result_count = False

    @admin.display(description="Description")
    def short_description(self, obj: CheckResult) -> str:
        return (obj.description[:80] + "…") if len(obj.description) > 80 else obj.description


class AlertInline(admin.TabularInline):
    model = Alert
    extra = 0
    can_delete = False
    fields = ("timestamp", "alert_type", "definition_name", "level_number", "suppressed_reason", "link")
    readonly_fields = fields
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    @admin.display(description="Messages")
    def link(self, obj: Alert) -> str:
        url = reverse("admin:alerting_alert_change", args=[obj.pk])
        return format_html('<a href="{}">details and messages</a>', url)


class IncidentStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("open", "Open"), ("resolved", "Resolved")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Incident]) -> QuerySet[Incident]:
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ("key", "monitor", "opened_at", "resolved_at", "consecutive_errors", "alert_count")
    list_filter = (IncidentStatusFilter, "opened_at")
    list_select_related = ("monitor",)
    search_fields = ("key", "monitor__name", "monitor__key", "first_error_description")
    date_hierarchy = "opened_at"
    inlines = [AlertInline]
    fields = (
        "key",
        "monitor",
        "opened_at",
        "resolved_at",
        "first_error_description",
        "consecutive_errors",
        "last_error_at",
        "last_check_data",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Incident]:
        return super().get_queryset(request).annotate(_alerts=Count("alerts"))

    @admin.display(description="Alerts", ordering="_alerts")
    def alert_count(self, obj: Incident) -> int:
        return obj._alerts

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        # Viewing the change page read-only still needs view permission only.
        return False


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = (
        "timestamp",
        "alert_type",
        "monitor",
        "definition_name",
        "level_number",
        "incident_key",
        "suppressed_reason",
    )
    list_filter = ("alert_type", "timestamp", "definition_name")
    list_select_related = ("incident__monitor",)
    search_fields = ("incident__key", "incident__monitor__name", "definition_name", "guid")
    date_hierarchy = "timestamp"
    show_full_result_count = False
    fields = (
        "guid",
        "alert_type",
        "timestamp",
        "incident",
        "definition",
        "definition_name",
        "level_number",
        "suppressed_reason",
        "variables",
    )

    @admin.display(description="Monitor", ordering="incident__monitor__name")
    def monitor(self, obj: Alert) -> str:
        return str(obj.incident.monitor)

    @admin.display(description="Incident")
    def incident_key(self, obj: Alert) -> str:
        return obj.incident.key
