"""Fields shared by off-duty schedules and maintenance periods."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from alerting.models.schedules import WINDOW_FIELDS, ScheduleWindow


def check_window(
    model: type[ScheduleWindow], attrs: dict[str, Any], instance: ScheduleWindow | None = None
) -> None:
    """Apply the window rules to the window as it will be saved: the instance's
    current values overlaid with the request's (a PATCH sends only some)."""
    values = {name: getattr(instance, name) for name in WINDOW_FIELDS} if instance else {}
    values.update({name: attrs[name] for name in WINDOW_FIELDS if name in attrs})
    try:
        # The window rules only; the owner (operator, monitor) is checked by the caller.
        ScheduleWindow.clean(model(**values))
    except DjangoValidationError as exc:
        raise serializers.ValidationError(serializers.as_serializer_error(exc)) from None
