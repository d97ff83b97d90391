"""The audit log in the admin: read-only, filterable by object, actor, channel and date."""

from __future__ import annotations

import json

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from alerting.models import AuditEntry

SHOWN_CHANGES = 120


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "channel", "action", "object_type", "object_repr", "what")
    list_filter = (
        ("at", admin.DateFieldListFilter),
        "channel",
        "action",
        ("object_type", admin.AllValuesFieldListFilter),
        ("actor", admin.AllValuesFieldListFilter),
    )
    search_fields = ("object_repr", "object_id", "actor", "summary", "request_id")
    date_hierarchy = "at"
    list_per_page = 100
    show_full_result_count = False
    fields = (
        "at",
        "actor",
        "channel",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "summary",
        "changes_table",
        "request_id",
    )
    readonly_fields = fields

    @admin.display(description=_("Change"))
    def what(self, entry: AuditEntry) -> str:
        text = entry.summary or ", ".join(sorted(entry.changes))
        return text if len(text) <= SHOWN_CHANGES else text[: SHOWN_CHANGES - 1] + "…"

    @admin.display(description=_("Changes"))
    def changes_table(self, entry: AuditEntry) -> str:
        if not entry.changes:
            return "—"
        rows = format_html_join(
            "",
            "<tr><th>{}</th><td><code>{}</code></td></tr>",
            (
                (name, json.dumps(change, ensure_ascii=False))
                for name, change in sorted(entry.changes.items())
            ),
        )
        return format_html("<table>{}</table>", rows)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
