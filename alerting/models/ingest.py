from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alerting.models.audited import AuditedManager
from alerting.models.config import ConfigManager

KEY_PREFIX_LEN = 8


class ApiScope(models.TextChoices):
    # Each scope may do what the ones before it may (alerting.api.auth).
    INGEST = "ingest", "Ingest: submit check results only"
    READ = (
        "read",
        ("Read: submit check results, and read incidents, alerts, messages, variables and the configuration"),
    )
    RESPOND = "respond", "Respond: what Read may, plus acknowledge and unacknowledge incidents"
    ADMIN = "admin", "Admin: everything, including changing the configuration and retrying messages"


def hash_key(raw: str) -> str:
    # The key has 256 bits of entropy, so a fast unsalted hash is enough: it
    # cannot be brute-forced, and lookups stay one indexed query.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKey(models.Model):
    """A bearer key for the HTTP API. Only a hash is stored; the key is shown once."""

    name = models.CharField(max_length=200, verbose_name=_("name"))
    prefix = models.CharField(
        max_length=KEY_PREFIX_LEN, editable=False, db_index=True, verbose_name=_("prefix")
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False, verbose_name=_("key hash"))
    scope = models.CharField(
        max_length=10,
        choices=ApiScope.choices,
        default=ApiScope.INGEST,
        help_text=_(
            "Each scope may do all that the ones above it may. Read keys also see the monitors' ping "
            "URLs; none but Admin may change anything."
        ),
        verbose_name=_("scope"),
    )
    rate_limit_per_minute = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Empty means the API_RATE_LIMIT_PER_MINUTE setting."),
        verbose_name=_("rate limit per minute"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("last used at"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))

    # The admin's "revoke" action is an update(): the audit log hears of it.
    objects = AuditedManager()

    class Meta:
        verbose_name_plural = _("API keys")
        ordering = ["name"]
        verbose_name = _("API key")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @classmethod
    def generate(cls, name: str, scope: str = ApiScope.INGEST) -> tuple[ApiKey, str]:
        raw = "as_" + secrets.token_urlsafe(32)
        key = cls.objects.create(name=name, scope=scope, prefix=raw[:KEY_PREFIX_LEN], key_hash=hash_key(raw))
        return key, raw

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])


class IdempotencyRecord(models.Model):
    """The first answer given for an idempotency key, replayed for 24 hours."""

    api_key = models.ForeignKey(
        ApiKey, verbose_name=_("API key"), null=True, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=200, verbose_name=_("key"))
    status_code = models.PositiveSmallIntegerField(verbose_name=_("status code"))
    response = models.JSONField(verbose_name=_("response"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))

    class Meta:
        verbose_name_plural = _("idempotency records")
        verbose_name = _("idempotency record")
        constraints = [models.UniqueConstraint(fields=["api_key", "key"], name="unique_idempotency_key")]

    def __str__(self) -> str:
        return self.key


class AccountSettings(models.Model):
    """Account-wide switches; a single row (pk=1)."""

    stop_all_alerts = models.BooleanField(
        default=False,
        help_text=_("While on, alerts are recorded but no messages are sent."),
        verbose_name=_("stop all alerts"),
    )
    changed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("changed at"))
    changed_by = models.CharField(max_length=150, blank=True, verbose_name=_("changed by"))

    objects = ConfigManager()

    class Meta:
        verbose_name = _("account settings")
        verbose_name_plural = _("account settings")

    def __str__(self) -> str:
        return "Account settings"

    @classmethod
    def load(cls) -> AccountSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj
