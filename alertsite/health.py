"""Health checks for load balancers and monitoring.

``/healthz`` is the web process's liveness: 200 while the app and its
database answer, whatever delivery is doing (restarting web processes would
not help a stuck worker). ``/healthz/delivery`` says whether alerts are
getting out: 503, naming each failing check, when no worker was seen lately,
the task broker is unreachable, or due messages wait too long.
"""

from __future__ import annotations

from typing import Any

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from integrations.delivery.heartbeat import seconds_since_seen
from integrations.models import Message, MessageStatus

BROKER_TIMEOUT_SECONDS = 2.0


def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "delivery": _figures()})


def _figures() -> dict[str, object]:
    """How far behind delivery is, and whether a worker has been seen lately."""
    oldest = oldest_due_seconds()
    seen = seconds_since_seen()
    return {
        "oldest_due_message_seconds": oldest,
        "worker_seen": seen is not None and seen <= settings.HEALTHZ_WORKER_MAX_AGE,
        "worker_last_seen_seconds": round(seen, 1) if seen is not None else None,
    }


def healthz_delivery(request: HttpRequest) -> JsonResponse:
    checks: dict[str, dict[str, Any]] = {}
    try:
        oldest = oldest_due_seconds()
    except DatabaseError:
        # Nothing else can be judged without the database (the heartbeat,
        # the outbox, and with the ORM broker the queue all live there).
        checks["database"] = {"ok": False, "error": "unreachable"}
        return _answer(checks)
    seen = seconds_since_seen()
    checks["worker"] = {
        "ok": seen is not None and seen <= settings.HEALTHZ_WORKER_MAX_AGE,
        "last_seen_seconds": round(seen, 1) if seen is not None else None,
        "max_age_seconds": settings.HEALTHZ_WORKER_MAX_AGE,
    }
    checks["broker"] = broker_check()
    checks["delivery_lag"] = {
        "ok": oldest <= settings.HEALTHZ_MAX_DELIVERY_LAG,
        "oldest_due_message_seconds": oldest,
        "max_seconds": settings.HEALTHZ_MAX_DELIVERY_LAG,
    }
    return _answer(checks)


def _answer(checks: dict[str, dict[str, Any]]) -> JsonResponse:
    failing = [name for name, check in checks.items() if not check["ok"]]
    body = {"status": "failing" if failing else "ok", "failing": failing, "checks": checks}
    response = JsonResponse(body, status=503 if failing else 200)
    response["Cache-Control"] = "no-store"
    return response


def oldest_due_seconds() -> float:
    """Age of the oldest message that is due and not yet delivered (0 when none)."""
    now = timezone.now()
    oldest = (
        Message.objects.filter(
            status__in=[MessageStatus.PENDING, MessageStatus.SENDING], next_attempt_at__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return round((now - oldest).total_seconds(), 1) if oldest else 0


_redis_clients: dict[str, redis.Redis] = {}


def broker_check() -> dict[str, Any]:
    """Whether the django-q2 broker answers: Redis with a PING (short timeouts,
    so a hung server fails the check instead of the probe), the ORM broker with
    a query on its table."""
    url: str | None = settings.Q_CLUSTER.get("redis")
    if url:
        client = _redis_clients.get(url)
        if client is None:
            client = _redis_clients[url] = redis.Redis.from_url(
                url, socket_connect_timeout=BROKER_TIMEOUT_SECONDS, socket_timeout=BROKER_TIMEOUT_SECONDS
            )
        try:
            client.ping()
        except redis.RedisError as exc:
            # The class only: redis-py's message may carry the server's address.
            return {"ok": False, "kind": "redis", "error": f"unreachable ({type(exc).__name__})"}
        return {"ok": True, "kind": "redis"}
    from django_q.models import OrmQ

    alias = settings.Q_CLUSTER.get("orm", "default")
    try:
        OrmQ.objects.using(alias).exists()
    except DatabaseError as exc:
        return {"ok": False, "kind": "orm", "error": f"unreachable ({type(exc).__name__})"}
    return {"ok": True, "kind": "orm"}
