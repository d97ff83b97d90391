"""The one recording service every channel's changes go through."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from alerting.audit import context
from alerting.models import AuditAction, AuditEntry
from alertsite.log_redaction import redact

UNKNOWN_ACTOR = "unknown"
OTHER_CHANNEL = "other"


def write(
    action: str,
    *,
    object_type: str,
    object_id: str = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
    summary: str = "",
    acting: context.Acting | None = None,
) -> AuditEntry:
    acting = acting or context.current()
    return AuditEntry.objects.create(
        at=timezone.now(),
        actor=acting.actor_name() if acting else UNKNOWN_ACTOR,
        channel=acting.channel if acting else OTHER_CHANNEL,
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:100],
        object_repr=object_repr[:300],
        changes=changes or {},
        summary=summary[:300],
        request_id=acting.request_id if acting else "",
    )


def change(action: str, obj: models.Model, changes: dict[str, Any], acting: context.Acting) -> AuditEntry:
    return write(
        action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=describe(obj),
        changes=changes,
        acting=acting,
    )


def action(
    obj: models.Model | type[models.Model], summary: str, changes: dict[str, Any] | None = None
) -> AuditEntry:
    """Something done to ``obj`` (or to a whole model) that is not a plain save:
    recorded also without an acting context (then as ``unknown``/``other``)."""
    if isinstance(obj, models.Model):
        object_id, object_repr = str(obj.pk), describe(obj)
    else:
        object_id, object_repr = "", str(obj._meta.verbose_name_plural)
    return write(
        AuditAction.ACTION,
        object_type=obj._meta.label_lower,
        object_id=object_id,
        object_repr=object_repr,
        changes=changes,
        summary=summary,
    )


def describe(obj: models.Model) -> str:
    try:
        return redact(str(obj))
    except Exception:  # a __str__ that needs a deleted relation
        return f"{obj._meta.verbose_name} {obj.pk}"
