"""Recording attempts: what was sent, what came back, and what happens next."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from integrations.delivery import breaker
from integrations.delivery.policy import backoff_seconds
from integrations.delivery.queue import enqueue_messages
from integrations.models import Message, MessageAttempt, MessageStatus
from integrations.transports.base import Exchange

BODY_LIMIT = 64 * 1024


@dataclass
class Result:
    message_id: int
    integration_id: object
    number: int
    started_at: datetime
    duration_ms: int
    exchanges: list[Exchange] = field(default_factory=list)
    error: str = ""
    delivered: bool = False
    permanent: bool = False
    retry_after: float | None = None
    # Attempts made before the last replay; the retry schedule restarts there.
    replay_base: int = 0
    # Filled in by decide().
    status: str = ""
    next_attempt_at: datetime | None = None

    @property
    def transient_failure(self) -> bool:
        return not self.delivered and not self.permanent


def decide(result: Result) -> Result:
    now = timezone.now()
    if result.delivered:
        result.status = MessageStatus.DELIVERED
    elif result.permanent:
        result.status = MessageStatus.FAILED
    else:
        tries = result.number - result.replay_base
        delay = backoff_seconds(tries, result.retry_after)
        if delay is None:
            result.status = MessageStatus.FAILED
            result.error = f"Gave up after {tries} attempts: {result.error}"
        else:
            result.status = MessageStatus.PENDING
            result.next_attempt_at = now + timedelta(seconds=delay)
    return result


def _last(result: Result) -> Exchange:
    return result.exchanges[-1] if result.exchanges else Exchange(request={})


def _attempt_row(result: Result, worker: str) -> MessageAttempt:
    last = _last(result)
    request = dict(last.request)
    if len(result.exchanges) > 1:
        # A multi-request integration (e.g. look up, then update): keep the earlier ones too.
        request["earlier"] = [
            {"request": ex.request, "status": ex.status, "error": ex.error} for ex in result.exchanges[:-1]
        ]
    return MessageAttempt(
        message_id=result.message_id,
        number=result.number,
        started_at=result.started_at,
        duration_ms=result.duration_ms,
        request=request,
        response_status=last.status,
        response_headers=dict(last.headers),
        response_body=(last.body or "")[:BODY_LIMIT],
        error=(result.error or last.error)[:BODY_LIMIT],
        outcome=result.status,
        worker=worker[:100],
    )


# Each result changes different values, so one UPDATE per message (sent
# together with executemany); lease_owner in the WHERE keeps it a
# compare-and-swap: a lease that ran out belongs to someone else now.
MESSAGE_FIELDS = [
    "status",
    "next_attempt_at",
    "delivered_at",
    "request",
    "response_status",
    "response_headers",
    "response_body",
    "error",
    "duration_ms",
    "updated_at",
]


def _update_sql() -> str:
    table = connection.ops.quote_name(Message._meta.db_table)
    columns = ", ".join(
        f"{connection.ops.quote_name(Message._meta.get_field(name).column)} = %s" for name in MESSAGE_FIELDS
    )
    # Identifiers come from the model; every value is a parameter.
    where = "WHERE id = %s AND lease_owner = %s"
    return f"UPDATE {table} SET {columns}, lease_owner = '', lease_expires_at = NULL {where}"  # noqa: S608


def _params(result: Result, owner: str, now: datetime) -> list[object]:
    last = _last(result)
    values = {
        "status": result.status,
        "next_attempt_at": result.next_attempt_at or now,
        "delivered_at": now if result.delivered else None,
        "request": last.request,
        "response_status": last.status,
        "response_headers": dict(last.headers),
        "response_body": (last.body or "")[:BODY_LIMIT],
        "error": (result.error or last.error)[:BODY_LIMIT],
        "duration_ms": result.duration_ms,
        "updated_at": now,
    }
    fields = Message._meta
    params: list[object] = [
        fields.get_field(name).get_db_prep_save(values[name], connection) for name in MESSAGE_FIELDS
    ]
    return [*params, result.message_id, owner]


def save(results: list[Result], owner: str) -> dict[object, datetime]:
    """Write the attempts and the messages' new state; update the breakers.

    Returns {integration id: paused until} for breakers that opened.
    """
    if not results:
        return {}
    now = timezone.now()
    with transaction.atomic():
        # The attempt happened whether or not we still hold the message.
        MessageAttempt.objects.bulk_create([_attempt_row(r, owner) for r in results])
        with connection.cursor() as cursor:
            cursor.executemany(_update_sql(), [_params(r, owner, now) for r in results])
    finished = [r.message_id for r in results if r.status != MessageStatus.PENDING]
    if finished:
        # An Ok waiting for one of these Alerts may go now.
        waiting = list(
            Message.objects.filter(depends_on_id__in=finished, status=MessageStatus.PENDING).values_list(
                "id", flat=True
            )
        )
        if waiting:
            transaction.on_commit(lambda: enqueue_messages(waiting))
    return _update_breakers(results)


def _update_breakers(results: list[Result]) -> dict[object, datetime]:
    by_integration: dict[object, list[Result]] = {}
    for r in results:
        by_integration.setdefault(r.integration_id, []).append(r)
    opened: dict[object, datetime] = {}
    for integration_id, items in by_integration.items():
        trailing = 0
        any_success = False
        for r in items:
            if r.delivered:
                any_success = True
                trailing = 0
            elif r.transient_failure:
                trailing += 1
        if any_success:
            breaker.record_success(integration_id)
        if trailing:
            until = breaker.record_failures(integration_id, trailing)
            if until:
                opened[integration_id] = until
    return opened
