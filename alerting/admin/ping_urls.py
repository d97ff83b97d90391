"""The monitor page's *Heartbeat* section: the heartbeat fields, the secret
ping URL with a copy button, and rotating it (a button there, and a list action)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alerting.models import Monitor, PingToken
from alerting.models.monitors import HEARTBEAT_FIELDS

HEARTBEAT_HELP = _(
    "Report with a request to the ping URL (no API key): GET or POST it for OK, add /fail for an error "
    "(the body is the description), /start when a run starts, or /&lt;exit status&gt; (0 is OK). "
    "When neither a ping nor any other result arrives for the expected interval plus the grace time, "
    "an error is recorded."
)


class PingUrlAdminMixin:
    """Mixed into ``MonitorAdmin``."""

    actions: Any = ["rotate_ping_urls"]

    @property
    def media(self) -> forms.Media:
        # The catalogue first: ping_url.js reads its texts from it.
        catalogue = reverse("javascript-catalog")
        return super().media + forms.Media(js=[catalogue, "alerting/ping_url.js"])  # type: ignore[misc]

    def get_fieldsets(self, request: HttpRequest, obj: Monitor | None = None) -> list[Any]:
        fieldsets = list(super().get_fieldsets(request, obj))  # type: ignore[misc]
        url = "ping_url" if self._can_rotate(request, obj) else "ping_url_readonly"
        section = (_("Heartbeat"), {"fields": (*HEARTBEAT_FIELDS, url), "description": HEARTBEAT_HELP})
        names = [str(name) for name, _options in fieldsets]
        # Before the read-only state, when there is one.
        state = str(_("State"))
        fieldsets.insert(names.index(state) if state in names else len(fieldsets), section)
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Monitor | None = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        return (*fields, "ping_url" if self._can_rotate(request, obj) else "ping_url_readonly")

    def _can_rotate(self, request: HttpRequest, obj: Monitor | None) -> bool:
        return obj is not None and self.has_change_permission(request, obj)  # type: ignore[attr-defined]

    def _url_and_copy(self, obj: Monitor) -> str:
        return format_html(
            '<input type="text" readonly class="vTextField ping-url" value="{}" aria-label="{}"> '
            '<button type="button" class="button" data-copy-ping-url>{}</button>',
            PingToken.for_monitor(obj).url,
            gettext("Ping URL"),
            gettext("Copy"),
        )

    @admin.display(description=_("Ping URL"))
    def ping_url(self, obj: Monitor | None) -> str:
        if obj is None or obj.pk is None or obj._state.adding:
            return gettext("Shown once the monitor is saved.")
        rotate = reverse("admin:alerting_monitor_rotate_ping_url", args=[obj.pk])
        return format_html(
            # Not a submit button: pressing Enter in a field submits the form
            # with its first submit button, and that must stay Save.
            '{} <button type="button" class="button" data-rotate-ping-url="{}">{}</button>',
            self._url_and_copy(obj),
            rotate,
            gettext("Rotate"),
        )

    @admin.display(description=_("Ping URL"))
    def ping_url_readonly(self, obj: Monitor | None) -> str:
        if obj is None or obj.pk is None:
            return gettext("Shown once the monitor is saved.")
        return self._url_and_copy(obj)

    @admin.action(description=_("Rotate the ping URLs of the selected monitors"), permissions=["change"])
    def rotate_ping_urls(self, request: HttpRequest, queryset: QuerySet[Monitor]) -> None:
        count = 0
        for monitor in queryset:
            PingToken.rotate(monitor)
            count += 1
        self.message_user(  # type: ignore[attr-defined]
            request,
            gettext("Rotated the ping URL of %(count)s monitor(s); the old URLs no longer work.")
            % {"count": count},
        )

    def get_urls(self) -> list[URLPattern]:
        rotate = path(
            "<path:object_id>/rotate-ping-url/",
            self.admin_site.admin_view(self.rotate_ping_url_view),  # type: ignore[attr-defined]
            name="alerting_monitor_rotate_ping_url",
        )
        # Ahead of the inherited "<path:object_id>/", which would take it for an id.
        return [rotate, *super().get_urls()]  # type: ignore[misc]

    def rotate_ping_url_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        monitor = self.get_object(request, object_id)  # type: ignore[attr-defined]
        if monitor is None:
            raise Http404(f"No monitor with ID {object_id!r}.")
        if not self.has_change_permission(request, monitor):  # type: ignore[attr-defined]
            raise PermissionDenied
        PingToken.rotate(monitor)
        messages.success(
            request,
            gettext("%(monitor)s: the ping URL was rotated; the old one no longer works.")
            % {"monitor": monitor},
        )
        return HttpResponseRedirect(reverse("admin:alerting_monitor_change", args=[monitor.pk]))
