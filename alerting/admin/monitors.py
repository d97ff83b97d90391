from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alerting.admin import maintenance_now, monitor_dashboard
from alerting.admin.coverage import monitor_summary
from alerting.admin.key_value import KeyValueField
from alerting.admin.ping_urls import PingUrlAdminMixin
from alerting.field_lists import MAINTENANCE_ROWS, rows
from alerting.models import MaintenancePeriod, MaintenanceType, Monitor, MonitorGroup


class MaintenancePeriodInline(admin.StackedInline):
    # Stacked, a few fields a row (see OffDutyScheduleInline).
    model = MaintenancePeriod
    fk_name = "monitor"
    extra = 0
    classes = ("schedule-windows",)
    fields = rows(MAINTENANCE_ROWS)


class MonitorForm(forms.ModelForm):
    custom_fields = KeyValueField(
        label=_("Custom fields"),
        required=False,
        help_text=Monitor._meta.get_field("custom_fields").help_text,
    )

    class Meta:
        model = Monitor
        exclude: list[str] = []


@admin.register(Monitor)
class MonitorAdmin(PingUrlAdminMixin, admin.ModelAdmin):
    form = MonitorForm
    # Kept to what fits a 1280 px window: the last result, when it came, whether
    # the monitor alerts at all and any maintenance on now share one column
    # (see get_list_display).
    list_display = ("name", "key", "monitor_type", "url")
    list_filter = ("is_active", "generate_alerts", "monitor_type", "last_status", "groups")
    search_fields = ("name", "key", "url", "notes")
    readonly_fields = ("last_status", "last_check_at", "created_at", "covered_by")
    inlines = [MaintenancePeriodInline]
    fieldsets = (
        (None, {"fields": ("key", "name", "monitor_type", "url", "notes")}),
        (
            _("Alerting"),
            {
                "fields": (
                    "covered_by",
                    "is_active",
                    "generate_alerts",
                    "name_for_phone_alerts",
                    "custom_fields",
                )
            },
        ),
        (_("State"), {"fields": ("last_status", "last_check_at", "created_at")}),
    )
    change_form_template = "admin/alerting/monitor/change_form.html"

    class Media:
        js = ("alerting/key_value.js",)

    @admin.display(description=_("Covered by"))
    def covered_by(self, obj: Monitor | None) -> SafeString:
        if obj is None or obj._state.adding:
            # A new monitor joins All monitors: say who it will alert before it exists.
            return format_html("{} {}", gettext("Once saved:"), monitor_summary(obj or Monitor()))
        return monitor_summary(obj)

    def get_list_display(self, request: HttpRequest) -> Any:
        label_for = maintenance_now.labels_now(timezone.now())

        @admin.display(description=_("State now"), ordering="last_status")
        def state(obj: Monitor) -> SafeString:
            status = obj.last_status or gettext("no result yet")
            css = {"ok": "badge-ok", "error": "badge-bad"}.get(obj.last_status, "badge-quiet")
            parts = [format_html('<span class="badge {}">{}</span>', css, status)]
            if obj.last_check_at:
                ago = gettext("%(time)s ago") % {"time": timesince(obj.last_check_at)}
                parts.append(format_html('<span class="quiet">{}</span>', ago))
            if not obj.is_active:
                parts.append(format_html('<span class="badge badge-quiet">{}</span>', gettext("inactive")))
            elif not obj.generate_alerts:
                parts.append(format_html('<span class="badge badge-quiet">{}</span>', gettext("alerts off")))
            label = label_for(obj.pk)
            if label:
                text = gettext("maintenance: %(what)s") % {"what": label}
                parts.append(format_html('<span class="badge badge-wait">{}</span>', text))
            return format_html_join("", '<span class="state-part">{}</span>', ((p,) for p in parts))

        return (*super().get_list_display(request), state)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        monitor = self.get_object(request, object_id)
        periods = MaintenancePeriod.active_for(monitor, timezone.now()) if monitor is not None else []
        extra = {
            "maintenance_now": [maintenance_now.describe(p) for p in periods],
            "monitoring_off": any(p.maintenance_type == MaintenanceType.DISABLE_MONITORING for p in periods),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra)

    def get_urls(self) -> list[URLPattern]:
        # Before the inherited patterns: their "<path:object_id>/" would take
        # ".../dashboard/" for an object id.
        dashboard = path(
            "<path:object_id>/dashboard/",
            self.admin_site.admin_view(self.dashboard_view),
            name="alerting_monitor_dashboard",
        )
        return [dashboard, *super().get_urls()]

    def dashboard_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The page ``{{@monitor.dashboardUrl}}`` links to (``Monitor.dashboard_url``)."""
        monitor = self.get_object(request, object_id)
        if monitor is None:
            raise Http404(f"No monitor with ID {object_id!r}.")
        if not self.has_view_or_change_permission(request, monitor):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            **monitor_dashboard.context(monitor),
            "opts": self.opts,
            "title": gettext("Monitor dashboard: %(monitor)s") % {"monitor": monitor},
            "original": monitor,
            "has_change_permission": self.has_change_permission(request, monitor),
        }
        return TemplateResponse(request, "admin/alerting/monitor/dashboard.html", context)


@admin.register(MonitorGroup)
class MonitorGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "monitor_count", "is_all_monitors")
    search_fields = ("name",)
    filter_horizontal = ("monitors",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[MonitorGroup]:
        return super().get_queryset(request).annotate(_monitors=Count("monitors"))

    @admin.display(description=_("Monitors"))
    def monitor_count(self, obj: MonitorGroup) -> str:
        return gettext("every monitor") if obj.is_all_monitors else str(obj._monitors)  # type: ignore[attr-defined]  # annotated

    def get_fields(self, request: HttpRequest, obj: MonitorGroup | None = None) -> Any:
        if obj and obj.is_all_monitors:
            return ["name", "members_note"]
        return ["name", "monitors"]

    def get_readonly_fields(self, request: HttpRequest, obj: MonitorGroup | None = None) -> tuple[str, ...]:
        return ("name", "members_note") if obj and obj.is_all_monitors else ()

    @admin.display(description=_("Monitors"))
    def members_note(self, obj: MonitorGroup) -> str:
        return gettext("Every monitor is in this group automatically.")

    def has_delete_permission(self, request: HttpRequest, obj: MonitorGroup | None = None) -> bool:
        if obj is not None and obj.is_system:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[MonitorGroup]) -> None:
        super().delete_queryset(request, queryset.filter(is_all_monitors=False))


@admin.register(MaintenancePeriod)
class MaintenancePeriodAdmin(admin.ModelAdmin):
    list_display = ("__str__", "maintenance_type", "mode", "monitor", "monitor_group")
    list_filter = ("maintenance_type", "mode")
    list_select_related = ("monitor", "monitor_group")
    search_fields = ("description", "monitor__name", "monitor_group__name")
    autocomplete_fields = ("monitor",)
