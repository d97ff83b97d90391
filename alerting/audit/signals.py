"""Record creates, changes and deletes of configuration models, and their
many-to-many edits, while a channel says who is acting (``context``).

Outside an acting context (the engine, the worker, migrations) nothing is
recorded and nothing is read: the handlers return at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from alerting.audit import context, record, values
from alerting.config_snapshot.signals import CONFIG_MODELS, MANY_TO_MANY
from alerting.models import ApiKey, AuditAction, InboundSource, Monitor, PingToken, audited
from alertsite.log_redaction import redact
from integrations.models import IntegrationFunction, VaultItem

# The configuration the engine reads, plus monitors, API keys, ping URLs, the
# inbound sources' monitor key templates, user-defined functions and the vault.
AUDITED: tuple[type[models.Model], ...] = (
    *CONFIG_MODELS,
    Monitor,
    ApiKey,
    PingToken,
    InboundSource,
    IntegrationFunction,
    VaultItem,
)
# A ping token is made on first use (e.g. when the API shows a monitor); only
# its rotation is a change anybody made.
NO_CREATE = (PingToken,)
BEFORE = "_audit_before"


def _before_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if context.current() is None or instance._state.adding or instance.pk is None:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and not set(update_fields) & values.audited_names(sender):
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    if old is not None:
        setattr(instance, BEFORE, (values.snapshot(old), old))


def _saved(sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any) -> None:
    acting = context.current()
    before = instance.__dict__.pop(BEFORE, None)
    if acting is None:
        return
    after = values.snapshot(instance)
    if created or before is None:
        if created and issubclass(sender, NO_CREATE):
            return
        changes = {name: {"from": None, "to": value} for name, value in after.items()}
        record.change(AuditAction.CREATE if created else AuditAction.UPDATE, instance, changes, acting)
        return
    snapshot, old = before
    changes = values.diff(snapshot, after)
    for name in values.secret_changed(sender, instance, old):
        changes[name] = {"from": values.MASK, "to": values.MASK, "changed": True}
    if changes:
        record.change(AuditAction.UPDATE, instance, changes, acting)


def _deleted(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    acting = context.current()
    if acting is None:
        return
    changes = {name: {"from": value, "to": None} for name, value in values.snapshot(instance).items()}
    record.change(AuditAction.DELETE, instance, changes, acting)


def _m2m(
    sender: Any, instance: models.Model, action: str, reverse: bool, pk_set: set[Any] | None, **kwargs: Any
) -> None:
    acting = context.current()
    if acting is None:
        return
    name = _relation_name(type(instance), sender, reverse)
    if action == "pre_clear":
        # The ids are gone after the clear: read them now.
        manager = getattr(instance, name)
        instance.__dict__[f"_audit_clear_{name}"] = {str(pk) for pk in manager.values_list("pk", flat=True)}
        return
    if action == "post_clear":
        removed = instance.__dict__.pop(f"_audit_clear_{name}", set())
        if removed:
            record.change(AuditAction.UPDATE, instance, {name: {"removed": sorted(removed)}}, acting)
        return
    if action in ("post_add", "post_remove") and pk_set:
        key = "added" if action == "post_add" else "removed"
        ids = sorted(redact(str(pk)) for pk in pk_set)
        record.change(AuditAction.UPDATE, instance, {name: {key: ids}}, acting)


def _relation_name(model: type[models.Model], through: Any, reverse: bool) -> str:
    if not reverse:
        for field in model._meta.many_to_many:
            if field.remote_field.through is through:
                return field.name
    for relation in model._meta.related_objects:
        if relation.many_to_many and getattr(relation, "through", None) is through:
            return relation.get_accessor_name() or relation.name
    return through._meta.model_name


def connect() -> None:
    audited.listener = BulkWrites()
    for model in AUDITED:
        uid = f"alerting-audit-{model._meta.label_lower}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=f"{uid}-pre-save")
        post_save.connect(_saved, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"{uid}-delete")
    for through in MANY_TO_MANY:
        m2m_changed.connect(
            _m2m, sender=through, dispatch_uid=f"alerting-audit-m2m-{through._meta.label_lower}"
        )


@dataclass
class Watch:
    acting: context.Acting
    model: type[models.Model]
    before: dict[Any, values.Snapshot]


class BulkWrites:
    """The audit side of ``alerting.models.audited``: update() and bulk writes."""

    def wants(self, model: type[models.Model], fields: Any) -> bool:
        """Whether a write of ``fields`` is recorded (cheap: no query)."""
        return (
            context.current() is not None
            and model in AUDITED
            and bool(set(fields) & values.audited_names(model))
        )

    def before_update(self, queryset: models.QuerySet, fields: Any) -> object | None:
        acting = context.current()
        model: type[models.Model] = queryset.model
        if acting is None or not self.wants(model, fields):
            return None
        return Watch(acting, model, {obj.pk: values.snapshot(obj) for obj in queryset})

    def after_update(self, watch: object) -> None:
        assert isinstance(watch, Watch)
        acting, model, before = watch.acting, watch.model, watch.before
        for obj in model._default_manager.filter(pk__in=list(before)):
            changes = values.diff(before[obj.pk], values.snapshot(obj))
            if changes:
                record.change(AuditAction.UPDATE, obj, changes, acting)

    def created(self, model: type[models.Model], objs: Any) -> None:
        acting = context.current()
        if acting is None or model not in AUDITED or issubclass(model, NO_CREATE):
            return
        for obj in objs:
            changes = {name: {"from": None, "to": value} for name, value in values.snapshot(obj).items()}
            record.change(AuditAction.CREATE, obj, changes, acting)
