"""Read-only history: check results, incidents, alerts."""

from __future__ import annotations

import json

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from alerting.models import Alert, CheckResult


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

    @admin.display(description=_("Description"))
    def short_description(self, obj: CheckResult) -> str:
        return (obj.description[:80] + "…") if len(obj.description) > 80 else obj.description


class AlertInline(admin.TabularInline):
    model = Alert
    extra = 0
    can_delete = False
    fields = ("timestamp", "type_label", "definition_name", "level_number", "suppressed_reason", "link")
    readonly_fields = fields
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    @admin.display(description=_("Messages"))
    def link(self, obj: Alert) -> str:
        url = reverse("admin:alerting_alert_change", args=[obj.pk])
        return format_html('<a href="{}#messages">details and messages</a>', url)

    @admin.display(description=_("Type"))
    def type_label(self, obj: Alert) -> str:
        return type_badge(obj.alert_type)


class DeliveryFilter(admin.SimpleListFilter):
    title = "delivery"
    parameter_name = "delivery"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("failed", "Some failed"), ("pending", "Some pending"), ("delivered", "All delivered")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Alert]) -> QuerySet[Alert]:
        failed = Q(messages__status__in=["failed", "expired"])
        pending = Q(messages__status__in=["pending", "sending"])
        if self.value() == "failed":
            return queryset.filter(id__in=Alert.objects.filter(failed).values("id"))
        if self.value() == "pending":
            return queryset.filter(id__in=Alert.objects.filter(pending).values("id"))
        if self.value() == "delivered":
            return (
                queryset.filter(messages__isnull=False)
                .exclude(id__in=Alert.objects.filter(failed | pending).values("id"))
                .distinct()
            )
        return queryset


class IncidentStateFilter(admin.SimpleListFilter):
    title = "incident status"
    parameter_name = "incident"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("open", "Open"), ("resolved", "Resolved")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Alert]) -> QuerySet[Alert]:
        if self.value() == "open":
            return queryset.filter(incident__resolved_at__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(incident__resolved_at__isnull=False)
        return queryset


TYPE_BADGES = {"Alert": "badge-bad", "Ok": "badge-ok", "Reminder": "badge-wait", "Acknowledged": "badge-info"}


def type_badge(alert_type: str) -> str:
    return format_html(
        '<span class="badge {}">{}</span>', TYPE_BADGES.get(alert_type, "badge-quiet"), alert_type
    )


def _shown(value: object) -> str:
    if isinstance(value, str):
        return value

    return json.dumps(value, ensure_ascii=False)


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    change_form_template = "admin/alerting/alert/change_form.html"
    list_display = (
        "timestamp",
        "type_label",
        "monitor",
        "definition_name",
        "level_number",
        "delivery",
        "suppressed_reason",
    )
    list_filter = (
        "alert_type",
        DeliveryFilter,
        IncidentStateFilter,
        ("incident__monitor", admin.RelatedOnlyFieldListFilter),
        "timestamp",
        "definition_name",
    )
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
        "variables_table",
    )

    @admin.display(description=_("Variables"))
    def variables_table(self, obj: Alert) -> str:
        """The variables as raised, one per row, as messages read them."""
        if not obj.variables:
            return "none"
        rows = format_html_join(
            "",
            "<tr><th scope='row'><code>{}</code></th><td><code>{}</code></td></tr>",
            ((name, _shown(value)) for name, value in sorted(obj.variables.items())),
        )
        return format_html('<table class="value-table" id="alert-variables">{}</table>', rows)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Alert]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                _delivered=Count("messages", filter=Q(messages__status="delivered")),
                _failed=Count("messages", filter=Q(messages__status__in=["failed", "expired"])),
                _messages=Count("messages"),
            )
        )

    @admin.display(description=_("Type"), ordering="alert_type")
    def type_label(self, obj: Alert) -> str:
        return type_badge(obj.alert_type)

    @admin.display(description=_("Messages"))
    def delivery(self, obj: Alert) -> str:
        # Counts annotated by get_queryset.
        total: int = obj._messages  # type: ignore[attr-defined]
        failed: int = obj._failed  # type: ignore[attr-defined]
        delivered: int = obj._delivered  # type: ignore[attr-defined]
        if not total:
            return "none"
        if failed:
            return format_html('<span class="badge badge-bad">{} failed</span> of {}', failed, total)
        if delivered == total:
            return format_html('<span class="badge badge-ok">{} delivered</span>', total)
        return format_html('<span class="badge badge-wait">{} pending</span> of {}', total - delivered, total)

    @admin.display(description=_("Monitor"), ordering="incident__monitor__name")
    def monitor(self, obj: Alert) -> str:
        return str(obj.incident.monitor)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        from integrations.models import FINAL_STATUSES, Message

        # The admin's own lookup: an id that is none of an alert (text, a number
        # too large) finds nothing, and its "doesn't exist" redirect follows.
        alert = self.get_object(request, unquote(object_id))
        found = Message.objects.filter(alert=alert) if alert is not None else Message.objects.none()
        messages = list(
            found.select_related("integration", "operator")
            .prefetch_related("attempts")
            .order_by("created_at", "id")
        )
        extra_context = {
            **(extra_context or {}),
            "alert_messages": messages,
            "messages_settling": any(m.status not in FINAL_STATUSES for m in messages),
            "can_retry": request.user.has_perm("integrations.change_message"),
        }
        return super().change_view(request, object_id, form_url, extra_context)
