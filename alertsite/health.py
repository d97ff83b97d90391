from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse


def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "delivery": _delivery()})


def _delivery() -> dict[str, object]:
    """How far behind delivery is, and whether a worker has been seen lately."""
    from django.utils import timezone

    from integrations.delivery.heartbeat import seconds_since_seen
    from integrations.models import Message, MessageStatus

    now = timezone.now()
    oldest = (
        Message.objects.filter(
            status__in=[MessageStatus.PENDING, MessageStatus.SENDING], next_attempt_at__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    seen = seconds_since_seen()
    return {
        "oldest_due_message_seconds": round((now - oldest).total_seconds(), 1) if oldest else 0,
        "worker_seen": seen is not None and seen < 60,
        "worker_last_seen_seconds": round(seen, 1) if seen is not None else None,
    }
