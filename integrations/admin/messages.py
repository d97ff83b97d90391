"""The message log: every delivery and its attempts, read-only."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from integrations.delivery.replay import NotReplayable, retry_message, retry_messages
from integrations.models import Message, MessageAttempt, MessageStatus

STATUS_COLOURS = {
    MessageStatus.DELIVERED: "#1a7f37",
    MessageStatus.FAILED: "#cf222e",
    MessageStatus.EXPIRED: "#cf222e",
    MessageStatus.PENDING: "#9a6700",
    MessageStatus.SENDING: "#0969da",
}


def status_badge(status: str) -> str:
    colour = STATUS_COLOURS.get(status, "#57606a")
    label = MessageStatus(status).label if status in MessageStatus.values else status
    return format_html(
        '<span class="msg-status msg-status-{}" style="color:#fff;background:{};padding:1px 8px;'
        'border-radius:9px;font-weight:600">{}</span>',
        status,
        colour,
        label,
    )


class AttemptInline(admin.StackedInline):
    model = MessageAttempt
    extra = 0
    can_delete = False
    fields = (
        ("number", "started_at", "duration_ms", "outcome", "worker"),
        "request_pretty",
        ("response_status", "response_headers"),
        "response_body",
        "error",
    )
    readonly_fields = (
        "number",
        "started_at",
        "duration_ms",
        "outcome",
        "worker",
        "request_pretty",
        "response_status",
        "response_headers",
        "response_body",
        "error",
    )

    def has_add_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    @admin.display(description="Request")
    def request_pretty(self, obj: MessageAttempt) -> str:
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>", json.dumps(obj.request, indent=2))


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "created_at",
        "status_label",
        "integration",
        "recipient",
        "alert",
        "attempt_count",
        "next_attempt_at",
    )
    list_filter = ("status", "integration", "created_at", "is_test")
    actions = ["retry_selected"]
    list_select_related = ("integration", "alert__incident__monitor")
    search_fields = ("recipient", "alert__incident__key", "alert__incident__monitor__name", "error")
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [AttemptInline]
    fields = (
        ("status_label", "attempt_count", "next_attempt_at"),
        ("integration", "recipient", "operator"),
        "alert",
        ("created_at", "delivered_at", "duration_ms"),
        "request",
        ("response_status", "response_headers"),
        "response_body",
        "error",
    )
    readonly_fields = (
        "status_label",
        "attempt_count",
        "next_attempt_at",
        "integration",
        "recipient",
        "operator",
        "alert",
        "created_at",
        "delivered_at",
        "duration_ms",
        "request",
        "response_status",
        "response_headers",
        "response_body",
        "error",
    )

    @admin.display(description="Status", ordering="status")
    def status_label(self, obj: Message) -> str:
        return status_badge(obj.status)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(require_POST(self.retry_view))
        return [path("<int:pk>/retry/", view, name="integrations_message_retry"), *super().get_urls()]

    def retry_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Replay one message now (the alert's Messages view has a button per message)."""
        # Replaying sends the message again: a change, though the log itself is read-only.
        if not request.user.has_perm("integrations.change_message"):
            raise PermissionDenied
        message = get_object_or_404(Message, pk=pk)
        try:
            retry_message(message)
        except NotReplayable as exc:
            self.message_user(request, str(exc), messages.WARNING)
        else:
            self.message_user(
                request, f"Message {message.pk} to {message.integration} queued again.", messages.SUCCESS
            )
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("admin:integrations_message_change", args=[message.pk])
        return HttpResponseRedirect(target)

    def has_retry_permission(self, request: HttpRequest) -> bool:
        # Replaying sends the message again: that takes the change permission,
        # although the log itself is read-only.
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.action(description="Retry selected messages now", permissions=["retry"])
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        ids = list(queryset.values_list("id", flat=True))
        replayed = retry_messages(ids)
        skipped = len(ids) - len(replayed)
        note = f" {skipped} being sent right now were left alone." if skipped else ""
        self.message_user(request, f"{len(replayed)} message(s) queued again.{note}", messages.SUCCESS)
