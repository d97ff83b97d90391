"""Model metadata for the few statements written as plain SQL."""

from __future__ import annotations

from typing import Any

from django.db import models


def forward_field(model: type[models.Model] | models.Model, name: str) -> models.Field[Any, Any]:
    """The model's own field ``name`` (``_meta.get_field`` may also return
    reverse relations, which have no value on the model)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{model._meta.label}.{name} is not a field of the model")
    return field


def concrete_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """The model's field ``name``, which must be a column of its own table."""
    field = forward_field(model, name)
    if not field.concrete:
        raise TypeError(f"{model._meta.label}.{name} is not a column")
    return field


def concrete_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The model's columns in table order (``_meta.get_fields()``'s concrete ones)."""
    return [f for f in model._meta.get_fields() if isinstance(f, models.Field) and f.concrete]
