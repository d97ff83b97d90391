"""The configuration's version: one row, bumped by every configuration write.

The engine decides from a compiled snapshot of the configuration
(``alerting.config_snapshot``) kept per process; each use compares the
snapshot's version with this row's. Every write to a configuration model adds
one to it inside the writing transaction (model signals, and the querysets
below for ``update()`` and ``bulk_create()``, which send none), so the new
version becomes visible exactly when the new configuration does.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils.translation import gettext_lazy as _

from alerting.models.audited import AuditedQuerySet

ROW_ID = 1
# Bumps made by this process, committed or not: a rolled-back transaction
# takes its version number back with it, so a process that built a snapshot
# inside it must not trust that number again (alerting.config_snapshot.get).
_writes_here = 0


class ConfigVersion(models.Model):
    """A single row (pk=1): the version of everything the engine reads to decide."""

    version = models.BigIntegerField(default=1, verbose_name=_("version"))

    class Meta:
        verbose_name_plural = _("configuration versions")
        verbose_name = _("configuration version")

    def __str__(self) -> str:
        return f"Configuration version {self.version}"


def _table() -> str:
    return ConfigVersion._meta.db_table


def current_version(using: str = DEFAULT_DB_ALIAS) -> int | None:
    """The version now, or None when the row is missing (a flushed test database)."""
    db = connections[using]
    with db.cursor() as cursor:
        cursor.execute(f"SELECT version FROM {db.ops.quote_name(_table())} WHERE id = %s", [ROW_ID])  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else None


def writes_here() -> int:
    return _writes_here


def bump_version(using: str = DEFAULT_DB_ALIAS) -> None:
    """Add one to the version, in the caller's transaction.

    The UPDATE takes the row's lock, so concurrent writers queue and each adds
    its own one. When the row is missing (a flushed database) it is created
    with a random start, so a process that remembered a version from before
    the flush cannot mistake the new one for it.
    """
    global _writes_here
    _writes_here += 1
    db = connections[using]
    table = db.ops.quote_name(_table())
    with db.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET version = version + 1 WHERE id = %s", [ROW_ID])  # noqa: S608
        if cursor.rowcount:
            return
    ConfigVersion.objects.using(using).bulk_create(
        [ConfigVersion(pk=ROW_ID, version=secrets.randbits(48))], ignore_conflicts=True
    )
    with db.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET version = version + 1 WHERE id = %s", [ROW_ID])  # noqa: S608


class ConfigQuerySet(AuditedQuerySet):
    """A configuration model's queryset: ``update()``, ``bulk_create()`` and
    ``bulk_update()`` bump the version too, as ``save()`` does through its
    signal."""

    def runtime_fields(self) -> frozenset[str]:
        """Fields that hold state, not configuration: writing only these bumps nothing."""
        return frozenset()

    def _bump(self) -> None:
        bump_version(self.db)

    # Each in one transaction with its bump, also when called in autocommit mode.

    def update(self, **kwargs: Any) -> int:
        if set(kwargs) <= self.runtime_fields():
            return super().update(**kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            count = super().update(**kwargs)
            if count:
                self._bump()
        return count

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        with transaction.atomic(using=self.db, savepoint=False):
            created = super().bulk_create(objs, *args, **kwargs)
            if created:
                self._bump()
        return created

    def bulk_update(self, objs: Any, fields: Any, *args: Any, **kwargs: Any) -> int:
        with transaction.atomic(using=self.db, savepoint=False):
            count = super().bulk_update(objs, fields, *args, **kwargs)
            if count and not set(fields) <= self.runtime_fields():
                self._bump()
        return count


def runtime_fields(model: type[models.Model]) -> frozenset[str]:
    """An integration's fields that nobody edits (``editable=False``): the
    circuit breaker's and rate limiter's state, written by delivery on every
    send, and timestamps. The primary key is not among them."""
    fields = [f for f in model._meta.concrete_fields if not f.editable and not f.primary_key]
    return frozenset({f.name for f in fields} | {f.attname for f in fields})


class IntegrationQuerySet(ConfigQuerySet):
    def runtime_fields(self) -> frozenset[str]:
        return runtime_fields(self.model)


ConfigManager = models.Manager.from_queryset(ConfigQuerySet)
IntegrationManager = models.Manager.from_queryset(IntegrationQuerySet)
