"""Incidents in the admin: read-only history, plus acknowledge / unacknowledge
(buttons on the incident page and list actions)."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alerting.admin.history import AlertInline, ReadOnlyAdmin
from alerting.engine import clock
from alerting.engine.acknowledgement import IncidentResolved, acknowledge, unacknowledge
from alerting.models import Incident, IncidentStatus
from alerting.models.incidents import acknowledged_q
from integrations.tasks import deliver_after_commit

# The snooze choices on the incident page: minutes, 0 = until resolved.
SNOOZES = [
    (0, _("until resolved")),
    (30, _("30 minutes")),
    (60, _("1 hour")),
    (240, _("4 hours")),
    (1440, _("24 hours")),
]
STATUS_BADGES = {
    IncidentStatus.OPEN: "badge-bad",
    IncidentStatus.ACKNOWLEDGED: "badge-wait",
    IncidentStatus.RESOLVED: "badge-ok",
}
RESPOND_PERMISSION = "alerting.change_incident"


def responder(request: HttpRequest) -> str:
    user = request.user
    return (user.get_full_name() or user.get_username()).strip()  # type: ignore[union-attr]


def status_badge(incident: Incident, now: dt.datetime) -> str:
    status = incident.status_at(now)
    title = ""
    if status == IncidentStatus.ACKNOWLEDGED:
        title = gettext("by %(name)s") % {"name": incident.acknowledged_by or gettext("someone")}
        if incident.acknowledged_until is not None:
            until = f"{timezone.localtime(incident.acknowledged_until):%Y-%m-%d %H:%M}"
            title += gettext(", snoozed until %(time)s") % {"time": until}
    badge = STATUS_BADGES[IncidentStatus(status)]
    return format_html('<span class="badge {}" title="{}">{}</span>', badge, title, status)


class IncidentStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("open", gettext("Open")),
            ("acknowledged", gettext("Acknowledged")),
            ("unresolved", gettext("Open or acknowledged")),
            ("resolved", gettext("Resolved")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Incident]) -> QuerySet[Incident]:
        now = clock.now()
        value = self.value()
        if value == "open":
            return queryset.filter(resolved_at__isnull=True).exclude(acknowledged_q(now))
        if value == "acknowledged":
            return queryset.filter(acknowledged_q(now), resolved_at__isnull=True)
        if value == "unresolved":
            return queryset.filter(resolved_at__isnull=True)
        if value == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    change_form_template = "admin/alerting/incident/change_form.html"
    list_display = (
        "monitor_name",
        "status_label",
        "opened_at",
        "resolved_at",
        "consecutive_errors",
        "alert_count",
        "key",
    )
    list_display_links = ("monitor_name",)
    list_filter = (IncidentStatusFilter, ("monitor", admin.RelatedOnlyFieldListFilter), "opened_at")
    list_select_related = ("monitor",)
    search_fields = ("key", "monitor__name", "monitor__key", "first_error_description")
    date_hierarchy = "opened_at"
    inlines = [AlertInline]
    actions = ["acknowledge_selected", "unacknowledge_selected"]
    fields = (
        "key",
        "monitor",
        "opened_at",
        "resolved_at",
        "first_error_description",
        "consecutive_errors",
        "last_error_at",
        "acknowledged_at",
        "acknowledged_by",
        "acknowledgement_note",
        "acknowledged_until",
        "last_check_data",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Incident]:
        return super().get_queryset(request).annotate(_alerts=Count("alerts"))

    @admin.display(description=_("Alerts"), ordering="_alerts")
    def alert_count(self, obj: Incident) -> int:
        return obj._alerts  # type: ignore[attr-defined]

    @admin.display(description=_("Monitor"), ordering="monitor__name")
    def monitor_name(self, obj: Incident) -> str:
        return str(obj.monitor)

    @admin.display(description=_("Status"), ordering="resolved_at")
    def status_label(self, obj: Incident) -> str:
        return status_badge(obj, clock.now())

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        # Viewing the change page read-only still needs view permission only.
        return False

    def can_respond(self, request: HttpRequest) -> bool:
        return request.user.has_perm(RESPOND_PERMISSION)

    def get_actions(self, request: HttpRequest) -> dict:
        found = super().get_actions(request)
        if not self.can_respond(request):
            found.pop("acknowledge_selected", None)
            found.pop("unacknowledge_selected", None)
        return found

    @admin.action(description=_("Acknowledge the selected incidents (until resolved)"))
    def acknowledge_selected(self, request: HttpRequest, queryset: QuerySet[Incident]) -> None:
        done, skipped = 0, 0
        for key in queryset.order_by("pk").values_list("key", flat=True):
            try:
                _incident, raised = acknowledge(key, by=responder(request))
                deliver_after_commit(raised.message_ids)
                done += 1
            except (IncidentResolved, Incident.DoesNotExist):
                skipped += 1
        if skipped:
            text = gettext(
                "Acknowledged %(done)s incident(s); %(skipped)s resolved one(s) left as they were."
            )
        else:
            text = gettext("Acknowledged %(done)s incident(s).")
        self.message_user(request, text % {"done": done, "skipped": skipped})

    @admin.action(description=_("Unacknowledge the selected incidents (escalation resumes)"))
    def unacknowledge_selected(self, request: HttpRequest, queryset: QuerySet[Incident]) -> None:
        done = 0
        for key in queryset.filter(resolved_at__isnull=True).order_by("pk").values_list("key", flat=True):
            try:
                _incident, raised = unacknowledge(key)
                deliver_after_commit(raised.message_ids)
                done += 1
            except (IncidentResolved, Incident.DoesNotExist):
                pass
        self.message_user(
            request,
            gettext("Unacknowledged %(done)s incident(s); their escalation resumes.") % {"done": done},
        )

    def get_urls(self) -> list[URLPattern]:
        # Ahead of the inherited "<path:object_id>/", which would take them for an id.
        respond = [
            path(
                f"<path:object_id>/{action}/",
                self.admin_site.admin_view(self.respond_view),
                {"action": action},
                name=f"alerting_incident_{action}",
            )
            for action in ("acknowledge", "unacknowledge")
        ]
        return [*respond, *super().get_urls()]

    def respond_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        incident = self.get_object(request, object_id)
        if incident is None:
            raise Http404(f"No incident with ID {object_id!r}.")
        if not self.can_respond(request):
            raise PermissionDenied
        back = HttpResponseRedirect(reverse("admin:alerting_incident_change", args=[incident.pk]))
        try:
            if action == "acknowledge":
                _incident, raised = acknowledge(
                    incident.key,
                    by=responder(request),
                    note=request.POST.get("note", "").strip()[:2000],
                    until=self._snooze_end(request),
                )
                deliver_after_commit(raised.message_ids)
                messages.success(
                    request, gettext("%(monitor)s: acknowledged.") % {"monitor": incident.monitor}
                )
            else:
                _incident, raised = unacknowledge(incident.key)
                deliver_after_commit(raised.message_ids)
                messages.success(
                    request,
                    gettext("%(monitor)s: unacknowledged; escalation resumes.")
                    % {"monitor": incident.monitor},
                )
        except IncidentResolved:
            messages.error(
                request,
                gettext("%(monitor)s: the incident is resolved, nothing to acknowledge.")
                % {"monitor": incident.monitor},
            )
        except ValueError:
            messages.error(request, gettext("Choose a snooze from the list."))
        return back

    def _snooze_end(self, request: HttpRequest) -> dt.datetime | None:
        minutes = int(request.POST.get("snooze") or 0)  # ValueError: not a number
        if minutes not in dict(SNOOZES):
            raise ValueError(minutes)
        return clock.now() + dt.timedelta(minutes=minutes) if minutes else None

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        incident = self.get_object(request, unquote(object_id))
        now = clock.now()
        extra_context = {
            **(extra_context or {}),
            "can_respond": self.can_respond(request),
            "snoozes": SNOOZES,
            "incident_status": incident.status_at(now) if incident is not None else "",
        }
        return super().change_view(request, object_id, form_url, extra_context)
