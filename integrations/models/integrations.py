from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from alerting.models.config import ConfigManager, IntegrationManager
from alertsite.fields import EncryptedJSONField, EncryptedTextField
from integrations.alert_types import STEP_FLAGS
from integrations.choices import AuthType, HttpMethod, IntegrationKind, VariableMode

# Kinds whose recipients are operators (one message per recipient).
OPERATOR_KINDS = {IntegrationKind.EMAIL, IntegrationKind.SMS, IntegrationKind.PHONE}


class Integration(models.Model):
    """A way to deliver alerts: a built-in kind with its own transport, or a
    custom integration (possibly from a preset) made of templated HTTP steps."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("id"))
    name = models.CharField(max_length=200, unique=True, verbose_name=_("name"))
    kind = models.CharField(max_length=20, choices=IntegrationKind.choices, verbose_name=_("kind"))
    preset = models.CharField(
        max_length=50,
        blank=True,
        help_text=_("The preset this integration was created from, if any."),
        verbose_name=_("preset"),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))
    customized = models.BooleanField(
        default=False,
        help_text=_(
            "Its steps are its own, no longer the preset's: an upgrade that changes the preset leaves "
            "them alone. Ticked by itself when you change the steps here."
        ),
        verbose_name=_("customized"),
    )
    is_builtin = models.BooleanField(default=False, editable=False, verbose_name=_("is builtin"))
    description = models.CharField(max_length=500, blank=True, verbose_name=_("description"))
    # Delivery tuning; empty means the kind's documented default.
    rate_limit_per_minute = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Empty means the receiver's documented limit."),
        verbose_name=_("rate limit per minute"),
    )
    connect_timeout = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0.1), MaxValueValidator(30)],
        verbose_name=_("connect timeout"),
    )
    read_timeout = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0.1), MaxValueValidator(60)],
        verbose_name=_("read timeout"),
    )
    signing_secrets = EncryptedJSONField(
        default=list,
        blank=True,
        help_text=_("Custom integrations: HMAC-SHA256 signing secrets; the first signs, all are sent."),
        verbose_name=_("signing secrets"),
    )
    # Circuit breaker state, written by delivery (integrations.delivery.breaker).
    # paused_until set: the breaker is open (closed when empty); once it has
    # passed, the next message goes alone as a probe, held by probe_owner.
    consecutive_failures = models.PositiveIntegerField(
        default=0, editable=False, verbose_name=_("consecutive failures")
    )
    paused_until = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("paused until"))
    breaker_trips = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text=_("Pauses in a row without a success; each doubles the next."),
        verbose_name=_("breaker trips"),
    )
    probe_owner = models.CharField(max_length=100, blank=True, editable=False, verbose_name=_("probe owner"))
    # Rate limiter state, written by delivery: the time the next request may
    # go out (a "theoretical arrival time"), advanced with compare-and-swap so
    # that every worker process shares one limit.
    rate_next_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("rate next at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = IntegrationManager()

    class Meta:
        verbose_name_plural = _("integrations")
        verbose_name = _("integration")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from integrations.validation import clean_integration

        clean_integration(self)


variable_name_validator = RegexValidator(
    r"^[A-Za-z_][A-Za-z0-9_]{0,99}$",
    message="A variable name is letters, digits and underscores, not starting with a digit.",
)


class IntegrationVariable(models.Model):
    """A predefined variable, used in templates as ``{{Name}}``."""

    integration = models.ForeignKey(
        Integration, on_delete=models.CASCADE, related_name="variables", verbose_name=_("integration")
    )
    name = models.CharField(max_length=100, validators=[variable_name_validator], verbose_name=_("name"))
    mode = models.CharField(
        max_length=10, choices=VariableMode.choices, default=VariableMode.FIXED, verbose_name=_("mode")
    )
    is_secret = models.BooleanField(
        default=False,
        help_text=_("Stored encrypted; never shown again after saving."),
        verbose_name=_("is secret"),
    )
    value = models.TextField(blank=True, verbose_name=_("value"))
    secret_value = EncryptedTextField(blank=True, verbose_name=_("secret value"))
    description = models.CharField(max_length=300, blank=True, verbose_name=_("description"))
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))

    objects = ConfigManager()

    class Meta:
        verbose_name_plural = _("integration variables")
        verbose_name = _("integration variable")
        ordering = ["integration", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["integration", "name"], name="unique_variable_name")]

    def __str__(self) -> str:
        return self.name

    def get_value(self) -> str:
        return self.secret_value if self.is_secret else self.value

    def clean(self) -> None:
        from integrations.validation import clean_variable

        clean_variable(self)


class IntegrationStep(models.Model):
    """One templated HTTP request. A message runs every step that handles its
    alert type, in position order; a step may capture values from its
    response for the later ones (``integrations.captures``)."""

    integration = models.ForeignKey(
        Integration, on_delete=models.CASCADE, related_name="steps", verbose_name=_("integration")
    )
    position = models.PositiveSmallIntegerField(default=1, verbose_name=_("position"))
    name = models.CharField(max_length=200, blank=True, verbose_name=_("name"))
    handles_alert = models.BooleanField(_("Alert"), default=True)
    handles_ok = models.BooleanField(_("Ok"), default=True)
    handles_reminder = models.BooleanField(_("Reminder"), default=True)
    # Passed on to receivers with an incident state of their own; off unless
    # the step is written for it (a chat message saying "acknowledged" is noise
    # to most receivers).
    handles_acknowledged = models.BooleanField(_("Acknowledged"), default=False)
    method = models.CharField(
        max_length=6, choices=HttpMethod.choices, default=HttpMethod.POST, verbose_name=_("method")
    )
    url = models.TextField(_("URL"))
    headers = models.JSONField(
        default=list,
        blank=True,
        help_text=_("A list of [name, value] pairs; values may hold variables."),
        verbose_name=_("headers"),
    )
    body = models.TextField(blank=True, verbose_name=_("body"))
    content_type = models.CharField(
        max_length=100, blank=True, default="application/json", verbose_name=_("content type")
    )
    auth_type = models.CharField(
        max_length=10, choices=AuthType.choices, default=AuthType.NONE, verbose_name=_("auth type")
    )
    auth_username = models.CharField(max_length=300, blank=True, verbose_name=_("auth username"))
    auth_password = EncryptedTextField(blank=True, verbose_name=_("auth password"))
    auth_token = EncryptedTextField(blank=True, verbose_name=_("auth token"))
    captures = models.JSONField(
        default=list,
        blank=True,
        help_text=_(
            "Values taken from the response for later steps: a list of {name, source "
            "(json-pointer or regex), expression, secret, optional}; later steps use {{name}}."
        ),
        verbose_name=_("captures"),
    )

    objects = ConfigManager()

    class Meta:
        verbose_name_plural = _("integration steps")
        verbose_name = _("integration step")
        ordering = ["integration", "position"]
        constraints = [
            models.UniqueConstraint(fields=["integration", "position"], name="unique_step_position"),
        ]

    def __str__(self) -> str:
        return self.name or f"Step {self.position}"

    def clean(self) -> None:
        # Templates are checked against the integration's variable names; the
        # admin may set ``known_variable_names`` when they are edited alongside.
        from integrations.validation import clean_step

        clean_step(self)

    def alert_types(self) -> list[str]:
        return [alert_type for alert_type, flag in STEP_FLAGS.items() if getattr(self, flag)]


class StatusHubService(models.Model):
    """A StatusHub service an integration can update; linked to monitors per level."""

    integration = models.ForeignKey(
        Integration,
        on_delete=models.CASCADE,
        related_name="statushub_services",
        verbose_name=_("integration"),
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    webhook_url = EncryptedTextField(
        help_text=_("The service's hook URL; it holds a token."), verbose_name=_("webhook url")
    )

    objects = ConfigManager()

    class Meta:
        verbose_name_plural = _("StatusHub services")
        ordering = ["integration", "name"]
        constraints = [
            models.UniqueConstraint(fields=["integration", "name"], name="unique_statushub_service")
        ]
        verbose_name = _("StatusHub service")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from integrations.validation import clean_statushub_service

        clean_statushub_service(self)
