"""Querysets that tell the audit log about their bulk writes.

``save()`` and ``delete()`` send signals, which the audit log
(``alerting.audit``) listens to; ``update()``, ``bulk_create()`` and
``bulk_update()`` send none. These querysets hand such writes to the
listener the audit log installs (models import no audit code), and do
nothing more when no channel is acting or no audited field is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from django.db import models


class BulkListener(Protocol):
    def wants(self, model: type[models.Model], fields: Iterable[str]) -> bool: ...

    def before_update(self, queryset: models.QuerySet, fields: Iterable[str]) -> object | None: ...

    def after_update(self, watch: object) -> None: ...

    def created(self, model: type[models.Model], objs: Sequence[models.Model]) -> None: ...


listener: BulkListener | None = None


class AuditedQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        watch = listener.before_update(self, kwargs) if listener else None
        count = super().update(**kwargs)
        if watch is not None and listener:
            listener.after_update(watch)
        return count

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        created = super().bulk_create(objs, *args, **kwargs)
        # With conflicts ignored or turned into updates nobody can tell which
        # rows are new (monitors a submission creates on the fly are such).
        if listener and not kwargs.get("ignore_conflicts") and not kwargs.get("update_conflicts"):
            listener.created(self.model, created)
        return created

    def bulk_update(self, objs: Any, fields: Any, *args: Any, **kwargs: Any) -> int:
        objs = list(objs)
        watch = None
        if listener and listener.wants(self.model, fields):
            watch = listener.before_update(self.filter(pk__in=[o.pk for o in objs]), fields)
        count = super().bulk_update(objs, fields, *args, **kwargs)
        if watch is not None and listener:
            listener.after_update(watch)
        return count


AuditedManager = models.Manager.from_queryset(AuditedQuerySet)
