"""An object's audited fields as JSON values, and the difference of two such sets.

Audited: the fields people edit (``editable``), plus every encrypted field.
Fields only the system writes (breaker state, last-used times, key hashes)
are left out, so saving them records nothing. Encrypted values are never
shown: ``********`` when set, empty otherwise; other text passes the log
redaction (a token pasted into a URL is masked there too).
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import uuid
from typing import Any

from django.db import models

from alertsite.fields import EncryptedJSONField, EncryptedTextField
from alertsite.log_redaction import MASK, redact

Snapshot = dict[str, Any]
ENCRYPTED = (EncryptedTextField, EncryptedJSONField)


def audited_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and (f.editable or isinstance(f, ENCRYPTED))
    ]


@functools.cache
def audited_names(model: type[models.Model]) -> frozenset[str]:
    return frozenset(n for f in audited_fields(model) for n in (f.name, f.attname))


def plain(value: Any) -> Any:
    """A JSON value for ``value``."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal | dt.timedelta):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return redact(str(value))


def snapshot(obj: models.Model) -> Snapshot:
    values: Snapshot = {}
    for field in audited_fields(type(obj)):
        raw = getattr(obj, field.attname)
        if isinstance(field, ENCRYPTED):
            values[field.name] = MASK if raw else ""
        else:
            values[field.name] = plain(raw)
    return values


def diff(before: Snapshot, after: Snapshot) -> dict[str, dict[str, Any]]:
    changes: dict[str, dict[str, Any]] = {}
    for name in after.keys() | before.keys():
        old, new = before.get(name), after.get(name)
        if old != new:
            changes[name] = {"from": old, "to": new}
    return changes


def secret_changed(model: type[models.Model], obj: models.Model, old: models.Model) -> list[str]:
    """Encrypted fields whose plaintext changed while set before and after
    (their masks are equal, so ``diff`` alone would not show the change)."""
    return [
        f.name
        for f in audited_fields(model)
        if isinstance(f, ENCRYPTED)
        and getattr(obj, f.attname)
        and getattr(old, f.attname)
        and getattr(obj, f.attname) != getattr(old, f.attname)
    ]
