"""Model metadata for the few statements written as plain SQL."""

from __future__ import annotations

from typing import Any

from django.db import models


def concrete_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """The model's field ``name``, which must be a column of its own table
    (``_meta.get_field`` may also return reverse relations)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field
