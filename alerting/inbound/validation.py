"""A converted payload through the API's own check-result validation."""

from __future__ import annotations

from typing import Any

from alerting.api.ingest_schema import Item, validate_body
from alerting.inbound.common import Converted
from alerting.models import ApiKey, InboundSource


def key_template(slug: str) -> str:
    return (
        InboundSource.objects.filter(format=slug).values_list("monitor_key_template", flat=True).first() or ""
    )


def validate(converted: Converted, api_key: ApiKey | None) -> tuple[list[Item], bool, dict[str, Any]]:
    """(items, is_batch, errors) as ``validate_body`` answers them, with each
    error at the payload's field name; nothing is valid unless all is."""
    errors: dict[str, Any] = dict(converted.errors)
    items: list[Item] = []
    if converted.items and not any(not k.isdigit() for k in errors):
        items, _, checked = validate_body(converted.items, api_key)
        for index, fields in checked.items():
            if not index.isdigit():
                errors.setdefault("detail", []).extend(fields)
                continue
            if index in converted.errors:
                continue  # the payload's own errors say it better
            names = converted.names[int(index)] if int(index) < len(converted.names) else {}
            merged = errors.setdefault(index, {})
            for name, messages in fields.items():
                target = merged.setdefault(names.get(name, name), [])
                target.extend(m for m in messages if m not in target)
    if errors:
        items = []
        if converted.single and set(errors) <= {"0"}:
            errors = errors.get("0", {})
    return items, not converted.single, errors
