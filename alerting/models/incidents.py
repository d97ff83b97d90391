from __future__ import annotations

import datetime as dt
import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alerting.models.definitions import AlertDefinition, EscalationLevel
from alerting.models.monitors import Monitor


class CheckStatus(models.TextChoices):
    ERROR = "error", "Error"
    OK = "ok", "OK"


class CheckResult(models.Model):
    """One submission, kept as submitted."""

    # No index of its own: check_monitor_time (monitor, -timestamp) serves
    # every lookup by monitor, and each index costs every submission a write.
    monitor = models.ForeignKey(
        Monitor,
        on_delete=models.CASCADE,
        related_name="check_results",
        db_index=False,
        verbose_name=_("monitor"),
    )
    status = models.CharField(max_length=5, choices=CheckStatus.choices, verbose_name=_("status"))
    timestamp = models.DateTimeField(db_index=True, verbose_name=_("timestamp"))
    received_at = models.DateTimeField(auto_now_add=True, verbose_name=_("received at"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    checkpoint = models.CharField(max_length=200, blank=True, verbose_name=_("checkpoint"))
    error_type_id = models.CharField(_("error type ID"), max_length=50, blank=True)
    failure_message = models.TextField(blank=True, verbose_name=_("failure message"))
    check_id = models.CharField(_("check ID"), max_length=100, blank=True)
    check_url = models.CharField(_("check URL"), max_length=2000, blank=True)
    resolved_ip = models.CharField(_("resolved IP"), max_length=64, blank=True)
    server_ipv4 = models.CharField(_("server IPv4"), max_length=64, blank=True)
    server_ipv6 = models.CharField(_("server IPv6"), max_length=64, blank=True)
    response_headers = models.TextField(blank=True, verbose_name=_("response headers"))
    response_body = models.TextField(blank=True, verbose_name=_("response body"))
    ssl_valid_until = models.CharField(_("SSL valid until"), max_length=64, blank=True)
    # Older than the newest applied submission: stored, but changed no state.
    out_of_order = models.BooleanField(default=False, verbose_name=_("out of order"))
    ignored_reason = models.CharField(max_length=100, blank=True, verbose_name=_("ignored reason"))
    api_key = models.ForeignKey(
        "alerting.ApiKey",
        verbose_name=_("API key"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name_plural = _("check results")
        verbose_name = _("check result")
        ordering = ["-timestamp", "-id"]
        indexes = [models.Index(fields=["monitor", "-timestamp"], name="check_monitor_time")]

    def __str__(self) -> str:
        return f"{self.monitor} {self.status} at {self.timestamp:%Y-%m-%d %H:%M:%S}"


def new_incident_key(seed: int) -> str:
    # Uptrends' keys are shaped <guid>-0-<number>; receivers treat them as opaque,
    # so we keep the shape for familiarity and a uuid4 for uniqueness.
    return f"{uuid.uuid4()}-0-{seed}"


class IncidentStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


def acknowledged_q(now: dt.datetime) -> Q:
    """Incidents acknowledged at ``now`` (as ``Incident.is_acknowledged``)."""
    return Q(acknowledged_at__isnull=False) & (
        Q(acknowledged_until__isnull=True) | Q(acknowledged_until__gt=now)
    )


class Incident(models.Model):
    """An uninterrupted run of errors on one monitor, from first error to OK."""

    key = models.CharField(max_length=100, unique=True, verbose_name=_("key"))
    monitor = models.ForeignKey(
        Monitor, on_delete=models.CASCADE, related_name="incidents", verbose_name=_("monitor")
    )
    opened_at = models.DateTimeField(help_text=_("Time of the first error."), verbose_name=_("opened at"))
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resolved at"))
    first_error = models.ForeignKey(
        CheckResult,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("first error"),
    )
    first_error_description = models.TextField(blank=True, verbose_name=_("first error description"))
    consecutive_errors = models.PositiveIntegerField(default=0, verbose_name=_("consecutive errors"))
    last_error_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last error at"))
    last_check_data = models.JSONField(default=dict, blank=True, verbose_name=_("last check data"))
    # Acknowledgement: someone is on it. While set (and ``acknowledged_until``
    # has not passed) no further level fires and no reminder is sent.
    acknowledged_at = models.DateTimeField(null=True, blank=True, verbose_name=_("acknowledged at"))
    acknowledged_by = models.CharField(max_length=200, blank=True, verbose_name=_("acknowledged by"))
    acknowledgement_note = models.TextField(blank=True, verbose_name=_("acknowledgement note"))
    acknowledged_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("Snooze: escalation resumes at this time. Empty: until resolved."),
        verbose_name=_("acknowledged until"),
    )

    class Meta:
        verbose_name_plural = _("incidents")
        verbose_name = _("incident")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["monitor"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_incident_per_monitor",
            )
        ]
        indexes = [
            # The duration/reminder sweep scans open incidents only.
            models.Index(fields=["opened_at"], condition=Q(resolved_at__isnull=True), name="incident_open"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def is_acknowledged(self, now: dt.datetime) -> bool:
        """Acknowledged and not past its snooze at ``now`` (resolved ones included)."""
        return self.acknowledged_at is not None and (
            self.acknowledged_until is None or self.acknowledged_until > now
        )

    def status_at(self, now: dt.datetime) -> str:
        if self.resolved_at is not None:
            return IncidentStatus.RESOLVED
        return IncidentStatus.ACKNOWLEDGED if self.is_acknowledged(now) else IncidentStatus.OPEN

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())


class EscalationState(models.Model):
    """What one escalation level has done for one incident: fired, reminders."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("incident")
    )
    level = models.ForeignKey(
        EscalationLevel, on_delete=models.CASCADE, related_name="+", verbose_name=_("level")
    )
    fired_at = models.DateTimeField(verbose_name=_("fired at"))
    reminders_sent = models.PositiveSmallIntegerField(default=0, verbose_name=_("reminders sent"))
    next_reminder_at = models.DateTimeField(null=True, blank=True, verbose_name=_("next reminder at"))

    class Meta:
        verbose_name_plural = _("escalation states")
        verbose_name = _("escalation state")
        constraints = [
            models.UniqueConstraint(fields=["incident", "level"], name="one_state_per_incident_level")
        ]
        indexes = [
            models.Index(
                fields=["next_reminder_at"],
                condition=Q(next_reminder_at__isnull=False),
                name="escalation_reminder_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.incident} level {self.level_id}"


class AlertType(models.TextChoices):
    ALERT = "Alert", "Alert"
    OK = "Ok", "Ok"
    REMINDER = "Reminder", "Reminder"
    # Someone acknowledged the incident: passed on to receivers with their own
    # incident state (PagerDuty, Opsgenie, Splunk On-Call, custom steps).
    ACKNOWLEDGED = "Acknowledged", "Acknowledged"


class Alert(models.Model):
    """One alert raised by one escalation level for one incident."""

    guid = models.UUIDField(_("GUID"), default=uuid.uuid4, unique=True, editable=False)
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("incident")
    )
    definition = models.ForeignKey(
        AlertDefinition,
        null=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
        verbose_name=_("definition"),
    )
    level = models.ForeignKey(
        EscalationLevel, null=True, on_delete=models.SET_NULL, related_name="alerts", verbose_name=_("level")
    )
    definition_name = models.CharField(_("alert definition name"), max_length=200)
    level_number = models.PositiveSmallIntegerField(_("escalation level"))
    alert_type = models.CharField(_("type"), max_length=20, choices=AlertType.choices)
    timestamp = models.DateTimeField(verbose_name=_("timestamp"))
    check_result = models.ForeignKey(
        CheckResult,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
        verbose_name=_("check result"),
    )
    # The value of every system variable when the alert was raised; messages
    # render from this, so later edits to a monitor do not rewrite history.
    variables = models.JSONField(default=dict, verbose_name=_("variables"))
    # Why no messages were created (maintenance, stop-all), empty when they were.
    suppressed_reason = models.CharField(_("suppressed because"), max_length=100, blank=True)

    class Meta:
        verbose_name_plural = _("alerts")
        verbose_name = _("alert")
        ordering = ["-timestamp", "-id"]
        indexes = [
            models.Index(fields=["-timestamp"], name="alert_time"),
            models.Index(fields=["alert_type", "-timestamp"], name="alert_type_time"),
        ]

    def __str__(self) -> str:
        return f"{self.alert_type} {self.incident.monitor} L{self.level_number}"
