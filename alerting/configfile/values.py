"""One canonical, JSON-friendly form for every field value, used both to write
the document and to compare it with the database (so an unchanged object is
recognised as unchanged whatever spelling the file used)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


def dump(field: models.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.time):
        return value.isoformat(timespec="minutes" if not value.second else "seconds")
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def load(field: models.Field, raw: Any) -> Any:
    """The Python value for ``raw`` (raising ValidationError when it is not one)."""
    if raw is None:
        if not field.null:
            raise ValidationError("This field cannot be empty (null).")
        return None
    if isinstance(field, models.JSONField):
        return raw
    if isinstance(field, models.BooleanField) and not isinstance(raw, bool):
        raise ValidationError("Enter true or false.")
    if isinstance(field, models.CharField | models.TextField) and not isinstance(raw, str):
        raise ValidationError("Enter a string.")
    if isinstance(field, models.IntegerField | models.FloatField) and isinstance(raw, bool | str):
        raise ValidationError("Enter a number.")
    value = field.to_python(raw)
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        raise ValidationError("Give the time zone, e.g. 2030-01-01T09:00:00Z.")
    return value


def canonical(field: models.Field, raw: Any) -> Any:
    return dump(field, load(field, raw))
