"""Validation of submitted check results (``POST /api/v1/alerts``).

Hand-written rather than a DRF serializer: the rules are few but exact (a
time zone is required, strings only where strings are meant, unknown fields
refused so typos do not vanish), and a batch of a thousand items validates
without building a thousand serializer trees.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from alerting import variables
from alerting.engine import Submission, clock, submissions
from alerting.engine.submissions import MAX_RESPONSE_BODY
from alerting.models import ApiKey, CheckResult, Monitor
from alerting.validators import monitor_key_validator
from alertsite.db.columns import concrete_field

MAX_BATCH = 1000
MAX_FUTURE = dt.timedelta(minutes=5)
MAX_TEXT = 100_000
MAX_IDEMPOTENCY_KEY = 150
MAX_CUSTOM_FIELDS = 100

# Check data and monitor data: field -> longest accepted value (None: text,
# bounded by MAX_TEXT), as the model fields that store them say.
CHECK_FIELDS: dict[str, int | None] = {
    name: concrete_field(CheckResult, name).max_length
    for name in variables.CHECK_FIELDS
    if name != "description"
}
MONITOR_FIELDS: dict[str, int | None] = {
    source: concrete_field(Monitor, target).max_length
    for source, target in submissions.MONITOR_FIELDS.items()
    if source != "custom_fields"  # an object, checked on its own
}
KNOWN = (
    {"monitor", "status", "description", "timestamp", "idempotency_key", "custom_fields"}
    | set(CHECK_FIELDS)
    | set(MONITOR_FIELDS)
)


@dataclass
class Item:
    submission: Submission
    idempotency_key: str = ""


def text(value: Any, limit: int | None, *, field: str) -> str:
    # Numbers are accepted where a tool may naturally send one (a check id, an
    # error type); booleans, lists and objects are not.
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValidationError(gettext("Must be a string."))
    result = str(value)
    if field == "response_body":
        # Kept like Uptrends does: truncated at 1 MB, not refused.
        return result[:MAX_RESPONSE_BODY]
    bound = limit or MAX_TEXT
    if len(result) > bound:
        raise ValidationError(gettext("At most %(count)s characters.") % {"count": bound})
    return result


def headers_text(value: Any) -> str:
    """``response_headers`` as a string, or an object of name -> value rendered
    the way the variable shows them: ``"Name": "value"`` lines."""
    if isinstance(value, dict):
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise ValidationError(gettext("Must be a string or an object of strings."))
        rendered = "\n".join(f'"{k}": "{v}"' for k, v in value.items())
        return text(rendered, None, field="response_headers")
    return text(value, None, field="response_headers")


def unknown_monitor(key: Any) -> str:
    return gettext("Unknown monitor %(key)s (AUTO_CREATE_MONITORS is off).") % {"key": repr(key)}


def timestamp(value: Any, now: dt.datetime) -> dt.datetime:
    if not isinstance(value, str):
        raise ValidationError(
            gettext("Must be an ISO 8601 date and time with a time zone, e.g. 2026-01-05T09:00:00Z.")
        )
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            gettext("Must be an ISO 8601 date and time with a time zone, e.g. 2026-01-05T09:00:00Z.")
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationError(gettext("Include a time zone, e.g. 2026-01-05T09:00:00Z or +02:00."))
    try:
        moment = moment.astimezone(dt.UTC)
    except OverflowError:
        raise ValidationError(gettext("Out of range.")) from None
    if moment > now + MAX_FUTURE:
        raise ValidationError(gettext("Must not be more than 5 minutes in the future."))
    return moment


def custom_fields(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValidationError(gettext("Must be an object whose keys and values are strings."))
    if len(value) > MAX_CUSTOM_FIELDS:
        raise ValidationError(gettext("At most %(count)s custom fields.") % {"count": MAX_CUSTOM_FIELDS})
    if any(not k.strip() or len(k) > 100 or len(v) > 2000 for k, v in value.items()):
        raise ValidationError(gettext("Names are 1–100 characters and values at most 2000."))
    return dict(value)


def validate_item(
    raw: Any, api_key: ApiKey | None, now: dt.datetime, known_monitors: set[str]
) -> tuple[Item | None, dict[str, list[str]]]:
    if not isinstance(raw, dict):
        return None, {"detail": [gettext("Each check result must be a JSON object.")]}
    errors: dict[str, list[str]] = {}

    def attempt(name: str, convert: Any) -> Any:
        try:
            return convert()
        except ValidationError as exc:
            errors[name] = list(exc.messages)
            return None

    for name in sorted(set(raw) - KNOWN):
        errors[name] = [gettext("Unknown field.")]

    monitor = raw.get("monitor")
    if not isinstance(monitor, str) or not monitor:
        errors["monitor"] = [gettext("This field is required: the monitor's key.")]
    else:
        attempt("monitor", lambda: monitor_key_validator(monitor))
        if "monitor" not in errors and not settings.AUTO_CREATE_MONITORS and monitor not in known_monitors:
            errors["monitor"] = [unknown_monitor(monitor)]

    status = raw.get("status")
    if status is None:
        errors["status"] = ['This field is required: "error" or "ok".']
    elif status not in ("error", "ok"):
        # Name what was sent (shortened: it may be anything) and what is allowed.
        sent = json.dumps(status)
        sent = sent if len(sent) <= 40 else sent[:37] + "..."
        errors["status"] = [f'Must be "error" or "ok", not {sent}.']

    description = ""
    if raw.get("description") is not None:
        description = (
            attempt("description", lambda: text(raw["description"], None, field="description")) or ""
        )
    if status == "error" and not description.strip() and "description" not in errors:
        errors["description"] = [gettext("Required when status is error: the error text.")]

    moment = now
    if raw.get("timestamp") is not None:
        moment = attempt("timestamp", lambda: timestamp(raw["timestamp"], now))

    check: dict[str, str] = {}
    for name, limit in CHECK_FIELDS.items():
        if raw.get(name) is None:
            continue
        if name == "response_headers":
            value = attempt(name, lambda: headers_text(raw["response_headers"]))
        else:
            value = attempt(name, lambda name=name, limit=limit: text(raw[name], limit, field=name))
        if value is not None:
            check[name] = value

    monitor_data: dict[str, Any] = {}
    for name, limit in MONITOR_FIELDS.items():
        if raw.get(name) is not None:
            value = attempt(name, lambda name=name, limit=limit: text(raw[name], limit, field=name))
            if value is not None:
                monitor_data[name] = value
    if raw.get("custom_fields") is not None:
        monitor_data["custom_fields"] = attempt("custom_fields", lambda: custom_fields(raw["custom_fields"]))

    key = raw.get("idempotency_key")
    if key is not None and (not isinstance(key, str) or not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY):
        errors["idempotency_key"] = [
            gettext("Must be a string of 1–%(count)s characters.") % {"count": MAX_IDEMPOTENCY_KEY}
        ]

    if errors:
        return None, errors
    assert isinstance(monitor, str) and isinstance(status, str)  # checked above
    return (
        Item(
            Submission(
                monitor=monitor,
                status=status,
                timestamp=moment,
                description=description,
                check=check,
                monitor_data=monitor_data,
                api_key=api_key,
            ),
            idempotency_key=key or "",
        ),
        {},
    )


def validate_body(data: Any, api_key: ApiKey | None) -> tuple[list[Item], bool, dict[str, Any]]:
    """Return (items, is_batch, errors); errors are keyed by field for a single
    object and by index for a batch. Nothing is valid unless everything is."""
    now = clock.now()
    is_batch = isinstance(data, list)
    if not is_batch and not isinstance(data, dict):
        return [], False, {"detail": [gettext("Send a JSON object, or a list of up to 1000 objects.")]}
    raw_items = data if is_batch else [data]
    if is_batch and not raw_items:
        return [], True, {"detail": [gettext("The list is empty; send at least one check result.")]}
    if len(raw_items) > MAX_BATCH:
        return (
            [],
            True,
            {
                "detail": [
                    gettext("At most %(count)s check results per request (got %(got)s).")
                    % {"count": MAX_BATCH, "got": len(raw_items)}
                ]
            },
        )
    known: set[str] = set()
    if not settings.AUTO_CREATE_MONITORS:
        keys = {
            r.get("monitor") for r in raw_items if isinstance(r, dict) and isinstance(r.get("monitor"), str)
        }
        known = set(Monitor.objects.filter(key__in=keys).values_list("key", flat=True))
    items: list[Item] = []
    errors: dict[str, Any] = {}
    for index, raw in enumerate(raw_items):
        item, item_errors = validate_item(raw, api_key, now, known)
        if item_errors:
            if is_batch:
                errors[str(index)] = item_errors
            else:
                errors = item_errors
        elif item is not None:
            items.append(item)
    return items, is_batch, errors
