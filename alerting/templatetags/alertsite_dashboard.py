"""The admin dashboard's figures: open incidents, delivery problems, queue health."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

register = template.Library()

LISTED = 8
WORKER_FRESH_SECONDS = 60


@register.simple_tag
def dashboard() -> dict[str, Any]:
    from alerting.models import AccountSettings, Incident
    from alerting.models.incidents import acknowledged_q
    from integrations.delivery.heartbeat import seconds_since_seen
    from integrations.models import Message, MessageStatus

    now = timezone.now()
    open_incidents = Incident.objects.filter(resolved_at__isnull=True)
    due = Message.objects.filter(
        status__in=[MessageStatus.PENDING, MessageStatus.SENDING], next_attempt_at__lte=now
    )
    oldest = due.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
    seen = seconds_since_seen()
    settings_row = AccountSettings.objects.filter(pk=1).first()
    from alerting.admin.maintenance_now import LABELS, periods_now, window

    maintenance = [(period, LABELS[period.maintenance_type], window(period)) for period in periods_now(now)]
    from integrations.admin.setup import needing_setup

    return {
        "needs_setup": needing_setup(),
        "maintenance": maintenance[:LISTED],
        "maintenance_count": len(maintenance),
        "open_count": open_incidents.count(),
        # Someone is on these: the card is a warning, not an alarm, when all are.
        "acknowledged_count": open_incidents.filter(acknowledged_q(now)).count(),
        "open_incidents": list(open_incidents.select_related("monitor").order_by("-opened_at")[:LISTED]),
        "problems": delivery_problems(now),
        "due_count": due.count(),
        "oldest_due_seconds": int((now - oldest).total_seconds()) if oldest else None,
        "worker_seen_seconds": int(seen) if seen is not None else None,
        "worker_ok": seen is not None and seen < WORKER_FRESH_SECONDS,
        "stop_all": bool(settings_row and settings_row.stop_all_alerts),
        "stop_all_changed_at": settings_row.changed_at if settings_row else None,
        "stop_all_changed_by": settings_row.changed_by if settings_row else "",
    }


def delivery_problems(now: datetime) -> dict[str, Any]:
    """What keeps messages from arriving: counts, each with the list it links to,
    and the latest problem messages with their last error."""
    from integrations.admin import problems
    from integrations.models import MessageStatus

    retrying = problems.retrying()
    failed = problems.recently(MessageStatus.FAILED, now)
    expired = problems.recently(MessageStatus.EXPIRED, now)
    paused = problems.paused(now)
    messages_url = reverse("admin:integrations_message_changelist")
    integrations_url = reverse("admin:integrations_integration_changelist")
    # Failed and expired messages are lost unless replayed (red); retrying
    # messages and paused integrations may still recover on their own (amber).
    rows = [
        {
            "key": "retrying",
            "label": gettext("Retrying after a failed attempt"),
            "count": retrying.count(),
            "url": f"{messages_url}?problem=retrying",
            "severity": "warn",
        },
        {
            "key": "failed",
            "label": gettext("Failed in the last 24 hours"),
            "count": failed.count(),
            "url": f"{messages_url}?problem=failed",
            "severity": "bad",
        },
        {
            "key": "expired",
            "label": gettext("Expired in the last 24 hours"),
            "count": expired.count(),
            "url": f"{messages_url}?problem=expired",
            "severity": "bad",
        },
        {
            "key": "paused",
            "label": gettext("Integrations paused by the circuit breaker"),
            "count": paused.count(),
            "url": f"{integrations_url}?breaker=paused",
            "severity": "warn",
        },
    ]
    severities = {row["severity"] for row in rows if row["count"]}
    latest = (
        (retrying | failed | expired)
        .select_related("integration", "alert__incident__monitor")
        .order_by("-updated_at", "-id")[:LISTED]
    )
    return {
        "rows": rows,
        "total": sum(row["count"] for row in rows),
        "severity": "bad" if "bad" in severities else "warn" if severities else "good",
        "latest": [(message, *problems.state(message)) for message in latest],
        "paused_integrations": list(paused.order_by("paused_until")[:LISTED]),
    }


@register.filter
def message_state(message: Any) -> tuple[str, str]:
    """(css key, label): a pending message whose last attempt failed is "Retrying"."""
    from integrations.admin import problems

    return problems.state(message)


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


@register.filter
def outcome_unknown(outcome: str) -> bool:
    """An attempt recorded before its request went out, never completed."""
    from integrations.admin.problems import UNKNOWN_OUTCOMES

    return outcome in UNKNOWN_OUTCOMES
