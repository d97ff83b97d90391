"""Which fields of each model the document holds, in document order: the
resources' field lists (``alerting.field_lists``, ``integrations.field_lists``),
shared with the admin and the API."""

from __future__ import annotations

from typing import Any

from django.db import models

from alerting.configfile import values
from alerting.field_lists import DEFINITION, LEVEL, MAINTENANCE, MONITOR, OPERATOR, SCHEDULE
from alertsite.db.columns import forward_field
from integrations.field_lists import (
    INTEGRATION,
    INTEGRATION_SECRETS,
    LINK,
    SERVICE,
    SERVICE_SECRETS,
    STEP,
    STEP_SECRETS,
    VARIABLE,
    VARIABLE_SECRETS,
)

__all__ = [
    "DEFINITION",
    "INTEGRATION",
    "INTEGRATION_SECRETS",
    "LEVEL",
    "LINK",
    "MAINTENANCE",
    "MONITOR",
    "OPERATOR",
    "SCHEDULE",
    "SERVICE",
    "SERVICE_SECRETS",
    "STEP",
    "STEP_SECRETS",
    "VARIABLE",
    "VARIABLE_SECRETS",
    "default",
    "row",
]


def row(obj: models.Model, names: tuple[str, ...]) -> dict[str, Any]:
    """The fields of ``obj`` in canonical form, leaving out empty optional ones (None)."""
    out: dict[str, Any] = {}
    for name in names:
        value = values.dump(forward_field(obj, name), getattr(obj, name))
        if value is not None:
            out[name] = value
    return out


def default(model: type[models.Model], name: str) -> Any:
    field = forward_field(model, name)
    return values.dump(field, field.get_default()) if field.has_default() or field.null else ""
