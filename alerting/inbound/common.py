"""What every format's conversion shares: the result type and value checks."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

from alerting.api.ingest_schema import MAX_CUSTOM_FIELDS

MAX_LABEL_NAME = 100
MAX_LABEL_VALUE = 2000
MAX_URL = 2000


@dataclass
class Converted:
    """A payload as our check-result objects (the shape ``POST /api/v1/alerts``
    takes), or why there is nothing to record, or the payload's own errors.

    ``names`` maps, per item, our field names to the payload's, so a
    validation error names the field the sending tool knows.
    """

    items: list[dict[str, Any]] = field(default_factory=list)
    names: list[dict[str, str]] = field(default_factory=list)
    errors: dict[str, Any] = field(default_factory=dict)
    skipped: str = ""
    skipped_monitor: str | None = None
    single: bool = False


class Problems:
    """Field errors of one payload item, at the payload's field names."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


def string_map(value: Any, name: str, problems: Problems, *, required: bool) -> dict[str, str]:
    """An object of strings (labels, annotations); {} with an error otherwise."""
    if value is None:
        if required:
            problems.add(name, gettext("This field is required: an object of strings."))
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        problems.add(name, gettext("Must be an object whose keys and values are strings."))
        return {}
    return value


def optional_text(value: Any, name: str, problems: Problems) -> str:
    """A string field that may be absent, null or empty (all the same: "")."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        problems.add(name, gettext("Must be a string."))
        return ""
    return str(value).strip()


def as_custom_fields(labels: dict[str, str]) -> dict[str, str]:
    """Labels as monitor custom fields, within the custom fields' bounds: a
    long value is cut rather than the whole alert refused."""
    kept = {}
    for name in sorted(labels)[:MAX_CUSTOM_FIELDS]:
        if name.strip() and len(name) <= MAX_LABEL_NAME:
            kept[name] = labels[name][:MAX_LABEL_VALUE]
    return kept


def url_or_empty(value: str) -> str:
    # A generator URL can be longer than a check URL may be; a cut URL is
    # worse than none.
    return value if len(value) <= MAX_URL else ""


def sender_key(source: str, *parts: str) -> str:
    """An idempotency key made of the sender's own identity for an alert."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]
    return f"{source}:{digest}"


def naive_utc_iso(value: str) -> str:
    """A date and time without a zone (Uptime Kuma's, Uptrends' UTC fields) as
    ISO 8601 in UTC; anything else is passed on for validation to refuse."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC).isoformat()
    return value
