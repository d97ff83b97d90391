"""The admin dashboard's figures: open incidents, failed messages, queue health."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template
from django.utils import timezone

register = template.Library()

LISTED = 8
WORKER_FRESH_SECONDS = 60


@register.simple_tag
def dashboard() -> dict[str, Any]:
    from alerting.models import AccountSettings, Incident
    from integrations.delivery.heartbeat import seconds_since_seen
    from integrations.models import Message, MessageStatus

    now = timezone.now()
    open_incidents = Incident.objects.filter(resolved_at__isnull=True)
    failed = Message.objects.filter(
        status__in=[MessageStatus.FAILED, MessageStatus.EXPIRED], created_at__gte=now - timedelta(hours=24)
    )
    due = Message.objects.filter(
        status__in=[MessageStatus.PENDING, MessageStatus.SENDING], next_attempt_at__lte=now
    )
    oldest = due.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
    seen = seconds_since_seen()
    settings_row = AccountSettings.objects.filter(pk=1).first()
    return {
        "open_count": open_incidents.count(),
        "open_incidents": list(open_incidents.select_related("monitor").order_by("-opened_at")[:LISTED]),
        "failed_count": failed.count(),
        "failed_messages": list(failed.select_related("integration", "alert__incident__monitor")[:LISTED]),
        "failed_since": (now - timedelta(hours=24)).strftime("%Y-%m-%d %H:%M:%S"),
        "due_count": due.count(),
        "oldest_due_seconds": int((now - oldest).total_seconds()) if oldest else None,
        "worker_seen_seconds": int(seen) if seen is not None else None,
        "worker_ok": seen is not None and seen < WORKER_FRESH_SECONDS,
        "stop_all": bool(settings_row and settings_row.stop_all_alerts),
        "stop_all_changed_at": settings_row.changed_at if settings_row else None,
        "stop_all_changed_by": settings_row.changed_by if settings_row else "",
    }


@register.filter
def duration(seconds: int | None) -> str:
    """Seconds as '42 s', '3 min', '2 h 5 min'."""
    if seconds is None:
        return "never"
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"
