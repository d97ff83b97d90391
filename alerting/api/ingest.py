"""``POST /api/v1/alerts``: submit check results (ingest scope)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from alerting.api import idempotency
from alerting.api.errors import error_response
from alerting.api.ingest_schema import MAX_IDEMPOTENCY_KEY, Item, unknown_monitor, validate_body
from alerting.engine import Outcome, process_batch
from alerting.engine.locking import UnknownMonitor
from alerting.models import ApiKey
from integrations.tasks import deliver_after_commit

REPLAYED_HEADER = "Idempotent-Replayed"


class Replay(Exception):
    def __init__(self, record: Any) -> None:
        self.record = record


def answer(outcome: Outcome) -> dict[str, Any]:
    incident = outcome.incident
    return {
        "id": outcome.check_result.pk,
        "monitor": outcome.monitor.key,
        "incident": (
            {"key": incident.key, "status": outcome.incident_status} if incident is not None else None
        ),
        "alerts": [
            {
                "id": str(a.guid),
                "type": a.alert_type,
                "alert_definition": str(a.definition_id) if a.definition_id else None,
                "escalation_level": a.level_number,
                # Why no message goes out for it (maintenance, stop all), or null.
                "suppressed": a.suppressed_reason or None,
            }
            for a in outcome.alerts
        ],
        "ignored": outcome.ignored or None,
    }


def process_items(items: list[Item], api_key: ApiKey) -> list[dict[str, Any]]:
    """Answers for ``items`` in order. Items without an idempotency key (the
    usual case) go to the engine together, as one set-based batch; an item
    with a key is claimed first, and a replayed one is left out of the batch."""
    results: list[dict[str, Any] | None] = [None] * len(items)
    todo: list[int] = []
    keys: dict[int, str] = {}
    # A key repeated within the batch replays the answer of its first use.
    repeats: dict[int, int] = {}
    first_use: dict[str, int] = {}
    for index, item in enumerate(items):
        if item.idempotency_key:
            key = idempotency.ITEM + item.idempotency_key
            if key in first_use:
                repeats[index] = first_use[key]
                continue
            first_use[key] = index
            earlier = idempotency.claim(api_key, key)
            if earlier is not None:
                results[index] = earlier.response
                continue
            keys[index] = key
        todo.append(index)
    if todo:
        outcomes = process_batch([items[i].submission for i in todo])
        deliver_after_commit(pk for outcome in outcomes for pk in outcome.message_ids)
        for index, outcome in zip(todo, outcomes, strict=True):
            results[index] = answer(outcome)
            if index in keys:
                idempotency.settle(api_key, keys[index], status.HTTP_202_ACCEPTED, results[index])
    for index, first in repeats.items():
        results[index] = results[first]
    return [r for r in results if r is not None]


Validator = Callable[[Any, ApiKey], tuple[list[Item], bool, dict[str, Any]]]


def submit(request: Request, validate: Validator = validate_body) -> Response:
    """Validate and process ``request``'s body. ``validate`` turns the body into
    items (the inbound formats pass their own conversion)."""
    api_key = request.auth
    assert isinstance(api_key, ApiKey)  # scope_permission let the request in
    header_key = request.headers.get("Idempotency-Key", "")
    if len(header_key) > MAX_IDEMPOTENCY_KEY:
        return error_response(
            {"Idempotency-Key": [gettext("At most %(count)s characters.") % {"count": MAX_IDEMPOTENCY_KEY}]}
        )
    if not header_key.isprintable():
        # A NUL (which no PostgreSQL text can hold) or another control character.
        return error_response({"Idempotency-Key": [gettext("Must not contain control characters.")]})
    request_key = idempotency.REQUEST + header_key if header_key else ""
    if request_key:
        earlier = idempotency.fresh(api_key, request_key)
        if earlier is not None:
            return replay(earlier)

    items, is_batch, errors = validate(request.data, api_key)
    if errors:
        return error_response(errors)
    # An idempotency key is claimed and settled in the transaction that does
    # the work. Without one the engine needs no transaction around it: it
    # opens its own, or (a steady OK) writes with a single statement.
    keyed = bool(request_key) or any(item.idempotency_key for item in items)
    try:
        with transaction.atomic() if keyed else contextlib.nullcontext():
            if request_key:
                earlier = idempotency.claim(api_key, request_key)
                if earlier is not None:
                    raise Replay(earlier)
            results = process_items(items, api_key)
            body = {"results": results} if is_batch else results[0]
            if request_key:
                idempotency.settle(api_key, request_key, status.HTTP_202_ACCEPTED, body)
    except Replay as exc:
        return replay(exc.record)
    except UnknownMonitor as exc:
        # The monitor was deleted between validation and processing.
        return error_response({"monitor": [unknown_monitor(exc.args[0])]})
    return Response(body, status=status.HTTP_202_ACCEPTED)


def replay(record: Any) -> Response:
    response = Response(record.response, status=record.status_code or status.HTTP_202_ACCEPTED)
    response[REPLAYED_HEADER] = "true"
    return response
