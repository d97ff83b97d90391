"""The message log: every delivery and its attempts, read-only, with a Retry
button (a retry; a delivered message is only sent again once confirmed)."""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from integrations.admin import problems
from integrations.delivery.replay import NotReplayable, retry_message, retry_messages
from integrations.models import Message, MessageAttempt, MessageStatus
from integrations.transports.http import connection_failed

STATUS_COLOURS = {
    MessageStatus.DELIVERED: "#1a7f37",
    MessageStatus.FAILED: "#cf222e",
    MessageStatus.EXPIRED: "#cf222e",
    MessageStatus.PENDING: "#9a6700",
    MessageStatus.SENDING: "#0969da",
    "retrying": "#bc4c00",
    "unknown": "#8250df",
}
ERROR_IN_LIST = 70
LISTED_ON_CONFIRMATION = 50

# The operating system's reason inside a connection error's wrappers, e.g.
# "... NewConnectionError(...: Failed to establish a new connection: [Errno 111] Connection refused'))".
OS_REASON = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")


def short_error(error: str) -> str:
    """The part of an error that says what went wrong, for a one-line column."""
    # Recorded in the account's language (or in English, before it was set).
    for language in dict.fromkeys(("en", settings.ACCOUNT_LANGUAGE)):
        with translation.override(language):
            prefix = connection_failed("")
            if not error.startswith(prefix):
                continue
            reason = OS_REASON.search(error)
            if reason:
                return connection_failed(reason.group(1).strip())
            if "timed out" in error.lower():
                return connection_failed(gettext("timed out"))
    return error


def badge(key: str, label: str, title: str = "") -> str:
    colour = STATUS_COLOURS.get(key, "#57606a")
    return format_html(
        '<span class="msg-status msg-status-{}" style="color:#fff;background:{};padding:1px 8px;'
        'border-radius:9px;font-weight:600;white-space:nowrap" title="{}">{}</span>',
        key,
        colour,
        title,
        label,
    )


def status_badge(status: str) -> str:
    label = MessageStatus(status).label if status in MessageStatus.values else status
    return badge(status, label)


def message_badge(message: Message) -> str:
    key, label = problems.state(message)
    title = gettext("The last attempt failed; it will be tried again.") if key == "retrying" else ""
    return badge(key, label, title)


def outcome_badge(outcome: str) -> str:
    if outcome in problems.UNKNOWN_OUTCOMES:
        return badge("unknown", gettext("Outcome unknown"), str(problems.UNKNOWN_TITLE))
    if not outcome:
        return "—"
    if outcome == MessageStatus.PENDING:
        # An attempt that ended with the message still pending failed and will be retried.
        return badge("retrying", gettext("Failed, will retry"))
    return status_badge(outcome)


class AttemptInline(admin.StackedInline):
    model = MessageAttempt
    extra = 0
    can_delete = False
    fields = (
        ("number", "started_at", "duration_ms", "outcome_label", "worker"),
        "request_pretty",
        ("response_status", "response_headers"),
        "response_body",
        "error",
    )
    readonly_fields = (
        "number",
        "started_at",
        "duration_ms",
        "outcome_label",
        "worker",
        "request_pretty",
        "response_status",
        "response_headers",
        "response_body",
        "error",
    )

    def has_add_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    @admin.display(description=_("Outcome"))
    def outcome_label(self, obj: MessageAttempt) -> str:
        return outcome_badge(obj.outcome)

    @admin.display(description=_("Request"))
    def request_pretty(self, obj: MessageAttempt) -> str:
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>", json.dumps(obj.request, indent=2))


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    change_form_template = "admin/integrations/message/change_form.html"
    # Kept to what fits a 1280 px window: the recipient goes with the integration,
    # the last error is cut to one line (the message page has all of it).
    list_display = ("id", "created", "status_column", "destination", "alert_column", "last_error")
    list_filter = (problems.ProblemFilter, "status", "integration", "created_at")
    actions = ["retry_selected"]
    list_select_related = ("integration", "alert__incident__monitor")
    search_fields = ("recipient", "alert__incident__key", "alert__incident__monitor__name", "error")
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [AttemptInline]
    fields = (
        ("status_label", "attempt_count", "next_attempt_at"),
        "state_note",
        ("integration", "recipient", "operator"),
        "alert",
        ("created_at", "delivered_at"),
        "error",
    )
    readonly_fields = (
        "status_label",
        "state_note",
        "attempt_count",
        "next_attempt_at",
        "integration",
        "recipient",
        "operator",
        "alert",
        "created_at",
        "delivered_at",
        "error",
    )

    @admin.display(description=_("Status"), ordering="status")
    def status_label(self, obj: Message) -> str:
        return message_badge(obj)

    @admin.display(description=_("State"))
    def state_note(self, obj: Message) -> str:
        if problems.is_retrying(obj):
            when = timezone.localtime(obj.next_attempt_at).strftime("%Y-%m-%d %H:%M:%S")
            text = gettext("The last attempt (number %(number)s) failed; the next try is due at %(time)s.")
            return text % {"number": obj.attempt_count, "time": when}
        if obj.status == MessageStatus.PENDING:
            return gettext("Not tried yet.") if not obj.attempt_count else gettext("Queued again.")
        if obj.status == MessageStatus.SENDING:
            return gettext("A worker is sending it now.")
        if obj.status == MessageStatus.DELIVERED:
            return gettext("Delivered.")
        if obj.status == MessageStatus.EXPIRED:
            return gettext("Given up: older than the maximum age. Retry sends it again.")
        return gettext("Given up. Retry sends it again.")

    @admin.display(description=_("To"), ordering="integration__name")
    def destination(self, obj: Message) -> str:
        if obj.recipient:
            return format_html("{} → {}", obj.integration, obj.recipient)
        return str(obj.integration)

    @admin.display(description=_("Created"), ordering="created_at")
    def created(self, obj: Message) -> str:
        at = timezone.localtime(obj.created_at)
        return format_html(
            '<span class="nowrap" title="{}">{}</span> <span class="nowrap">{}</span>',
            at.strftime("%Y-%m-%d %H:%M:%S"),
            at.strftime("%m-%d"),
            at.strftime("%H:%M:%S"),
        )

    @admin.display(description=_("Status"), ordering="status")
    def status_column(self, obj: Message) -> str:
        # The number of tries and the next one go under the badge: one column less.
        tries = ngettext("%(count)s try", "%(count)s tries", obj.attempt_count) % {"count": obj.attempt_count}
        if obj.status not in (MessageStatus.PENDING, MessageStatus.SENDING):
            return format_html('{}<br><small class="quiet nowrap">{}</small>', message_badge(obj), tries)
        when = timezone.localtime(obj.next_attempt_at).strftime("%H:%M:%S")
        next_try = gettext("next %(time)s") % {"time": when}
        return format_html('{}<br><small class="quiet">{} · {}</small>', message_badge(obj), tries, next_try)

    @admin.display(description=_("Alert"), ordering="alert__timestamp")
    def alert_column(self, obj: Message) -> str:
        if obj.alert is None:
            return "—"
        alert = obj.alert
        return format_html("{} · {}, level {}", alert.alert_type, alert.incident.monitor, alert.level_number)

    @admin.display(description=_("Last error"))
    def last_error(self, obj: Message) -> str:
        # Already redacted when recorded (the transport masks every secret it
        # was given); a delivered message's stale error is not shown.
        if not obj.error or obj.status == MessageStatus.DELIVERED:
            return "—"
        return format_html(
            '<span class="message-last-error" title="{}">{}</span>',
            Truncator(obj.error).chars(500),
            Truncator(short_error(obj.error)).chars(ERROR_IN_LIST),
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(require_POST(self.retry_view))
        return [path("<int:pk>/retry/", view, name="integrations_message_retry"), *super().get_urls()]

    def has_retry_permission(self, request: HttpRequest) -> bool:
        # Replaying sends the message again: that takes the change permission,
        # although the log itself is read-only.
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = {**(extra_context or {}), "can_retry": self.has_retry_permission(request)}
        message = self.get_object(request, object_id)
        if message is not None:
            # A worker holds it now (replay would refuse); a lapsed lease was a worker that died.
            extra_context["being_sent"] = (
                message.status == MessageStatus.SENDING
                and message.lease_expires_at is not None
                and message.lease_expires_at >= timezone.now()
            )
            # Not the model's "Message 5 (pending)": a pending message that failed is retrying.
            extra_context["subtitle"] = gettext("Message %(id)s (%(state)s)") % {
                "id": message.pk,
                "state": problems.state(message)[1].lower(),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def retry_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Replay one message now (the message page and the alert's Messages view
        have a button); a delivered message is sent again only once confirmed."""
        if not self.has_retry_permission(request):
            raise PermissionDenied
        message = get_object_or_404(Message.objects.select_related("integration"), pk=pk)
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("admin:integrations_message_change", args=[message.pk])
        if message.status == MessageStatus.DELIVERED and request.POST.get("post") != "yes":
            return self.confirm_retry(request, [message], target=target)
        try:
            retry_message(message)
        except NotReplayable as exc:
            self.message_user(request, str(exc), messages.WARNING)
        else:
            self.message_user(
                request,
                gettext("Message %(id)s to %(integration)s queued again.")
                % {"id": message.pk, "integration": message.integration},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(target)

    def confirm_retry(
        self,
        request: HttpRequest,
        delivered: list[Message],
        *,
        delivered_count: int = 1,
        target: str = "",
        selected: list[int] | None = None,
    ) -> TemplateResponse:
        """The intermediate page, as Django's delete has: sending a delivered
        message again reaches its receiver a second time."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Send delivered messages again?")
            if selected
            else gettext("Send this delivered message again?"),
            "delivered": delivered,
            "delivered_count": delivered_count,
            "selected": selected or [],
            "selected_count": len(selected or []),
            "target": target,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/integrations/message/retry_confirmation.html", context)

    @admin.action(description=_("Retry selected messages now"), permissions=["retry"])
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[Message]) -> HttpResponse | None:
        ids = list(queryset.values_list("id", flat=True))
        if request.POST.get("post") != "yes":
            delivered = queryset.filter(status=MessageStatus.DELIVERED)
            count = delivered.count()
            if count:
                shown = list(delivered.select_related("integration")[:LISTED_ON_CONFIRMATION])
                return self.confirm_retry(request, shown, delivered_count=count, selected=ids)
        replayed = retry_messages(ids)
        skipped = len(ids) - len(replayed)
        text = gettext("%(count)s message(s) queued again.") % {"count": len(replayed)}
        if skipped:
            text += " " + gettext("%(count)s being sent right now were left alone.") % {"count": skipped}
        self.message_user(request, text, messages.SUCCESS)
        return None
