"""Bump the configuration version on every configuration write.

``post_save``, ``post_delete`` and ``m2m_changed`` of every model the engine
reads to decide (and the integrations' other models, which the delivery of a
decision reads) run inside the writing transaction, so the bump commits or
rolls back with the change. ``update()`` and ``bulk_create()``, which send no
signal, bump through the models' querysets (``alerting.models.config``);
migrations bump once when they have run (``post_migrate``).
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

from alerting.models import (
    AccountSettings,
    AlertDefinition,
    EscalationLevel,
    MaintenancePeriod,
    MonitorGroup,
    OffDutySchedule,
    Operator,
    OperatorGroup,
)
from alerting.models.config import ConfigVersion, bump_version, runtime_fields
from integrations.models import (
    Integration,
    IntegrationStep,
    IntegrationVariable,
    LevelIntegration,
    StatusHubService,
)

CONFIG_MODELS = (
    AccountSettings,
    AlertDefinition,
    EscalationLevel,
    LevelIntegration,
    MaintenancePeriod,
    MonitorGroup,
    OffDutySchedule,
    Operator,
    OperatorGroup,
    Integration,
    IntegrationStep,
    IntegrationVariable,
    StatusHubService,
)
MANY_TO_MANY = (
    AlertDefinition.monitors.through,
    AlertDefinition.monitor_groups.through,
    MonitorGroup.monitors.through,
    EscalationLevel.operators.through,
    EscalationLevel.operator_groups.through,
    OperatorGroup.members.through,
)


def _changed(sender: Any, instance: Any = None, using: str = "default", **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if sender is Integration and update_fields and set(update_fields) <= runtime_fields(Integration):
        return  # delivery's breaker and rate state, not configuration
    bump_version(using)


def _m2m_changed(sender: Any, action: str, using: str = "default", **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        bump_version(using)


def _migrated(using: str = "default", **kwargs: Any) -> None:
    # Data migrations write through historical models, whose signals nobody hears.
    if ConfigVersion._meta.db_table in connections[using].introspection.table_names():
        bump_version(using)


def connect(app_config: Any) -> None:
    for model in CONFIG_MODELS:
        uid = f"alerting-config-version-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}-delete")
    for through in MANY_TO_MANY:
        m2m_changed.connect(
            _m2m_changed, sender=through, dispatch_uid=f"alerting-config-m2m-{through._meta.label_lower}"
        )
    post_migrate.connect(_migrated, sender=app_config, dispatch_uid="alerting-config-version-migrated")
