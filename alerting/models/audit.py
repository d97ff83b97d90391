"""The audit log: who changed which configuration object, when, through what, and how."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"
    ACTION = "action", "Action"


class AuditEntry(models.Model):
    """One change to one object. Written in the changing transaction, so a
    change rolled back (an ``apply_config --dry-run``) leaves no entry."""

    at = models.DateTimeField(db_index=True, verbose_name=_("at"))
    actor = models.CharField(
        max_length=200,
        help_text=_("A user name, 'API key <name>', or the system user of a command."),
        verbose_name=_("actor"),
    )
    channel = models.CharField(
        max_length=50, help_text=_("admin, api, apply_config, acknowledge link, …"), verbose_name=_("channel")
    )
    action = models.CharField(max_length=10, choices=AuditAction.choices, verbose_name=_("action"))
    object_type = models.CharField(
        max_length=100,
        help_text=_("The model's label, e.g. alerting.monitor."),
        verbose_name=_("object type"),
    )
    object_id = models.CharField(max_length=100, blank=True, verbose_name=_("object id"))
    object_repr = models.CharField(max_length=300, blank=True, verbose_name=_("object repr"))
    # {"field": {"from": old, "to": new}}; secret values appear only as "********".
    changes = models.JSONField(default=dict, blank=True, verbose_name=_("changes"))
    summary = models.CharField(
        max_length=300, blank=True, help_text=_("What an action did, in words."), verbose_name=_("summary")
    )
    request_id = models.CharField(
        max_length=128,
        blank=True,
        help_text=_("Ties the entries of one request or run."),
        verbose_name=_("request id"),
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(fields=["object_type", "object_id", "-at"], name="audit_object_time"),
            models.Index(fields=["actor", "-at"], name="audit_actor_time"),
        ]

    def __str__(self) -> str:
        return f"{self.actor} {self.get_action_display().lower()} {self.object_repr or self.object_type}"
