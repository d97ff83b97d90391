from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from integrations.choices import MessageStatus
from integrations.models.integrations import Integration
from integrations.models.level_links import LevelIntegration

FINAL_STATUSES = {MessageStatus.DELIVERED, MessageStatus.FAILED, MessageStatus.EXPIRED}

# An attempt's outcome is the message status it led to, or this: the row is
# written before the request goes out and updated with the answer, so an
# attempt whose worker died in between stays visible as "unknown".
OUTCOME_UNKNOWN = "unknown"


class Message(models.Model):
    """One delivery owed: an alert × an integration × a recipient (the outbox).

    Written in the same transaction as its alert; delivery claims it with a
    lease (conditional UPDATE) and records each attempt.
    """

    alert = models.ForeignKey(
        "alerting.Alert",
        null=True,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("alert"),
    )
    integration = models.ForeignKey(
        Integration, on_delete=models.CASCADE, related_name="messages", verbose_name=_("integration")
    )
    level_link = models.ForeignKey(
        LevelIntegration,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("level link"),
    )
    # Per-level variable values as they were when the alert was raised.
    level_variables = models.JSONField(default=dict, blank=True, verbose_name=_("level variables"))
    recipient = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("E-mail address or phone number."),
        verbose_name=_("recipient"),
    )
    operator = models.ForeignKey(
        "alerting.Operator",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
        verbose_name=_("operator"),
    )
    # An Ok waits for its Alert (same incident and integration) to be final.
    depends_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dependents",
        verbose_name=_("depends on"),
    )
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING, verbose_name=_("status")
    )
    attempt_count = models.PositiveIntegerField(default=0, verbose_name=_("attempt count"))
    # A replay starts a fresh retry schedule and a fresh maximum age: attempts
    # before it do not count against the schedule, and it expires from then.
    attempts_before_replay = models.PositiveIntegerField(
        default=0, editable=False, verbose_name=_("attempts before replay")
    )
    expires_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text=_("Empty: the maximum age after creation."),
        verbose_name=_("expires at"),
    )
    next_attempt_at = models.DateTimeField(verbose_name=_("next attempt at"))
    lease_owner = models.CharField(max_length=100, blank=True, verbose_name=_("lease owner"))
    lease_expires_at = models.DateTimeField(null=True, blank=True, verbose_name=_("lease expires at"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("delivered at"))
    # Why the message is not delivered (yet): the last attempt's error, kept
    # here for the list, its filters and search. The requests and responses
    # themselves are the attempts' (MessageAttempt), recorded once.
    error = models.TextField(blank=True, verbose_name=_("error"))

    class Meta:
        verbose_name_plural = _("messages")
        verbose_name = _("message")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The claim query: due messages per integration, nothing else.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="message_due",
            ),
            models.Index(fields=["status", "-created_at"], name="message_status_time"),
        ]

    def __str__(self) -> str:
        return f"Message {self.pk} ({self.status})"


class MessageAttempt(models.Model):
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("message")
    )
    number = models.PositiveIntegerField(verbose_name=_("number"))
    started_at = models.DateTimeField(verbose_name=_("started at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    request = models.JSONField(default=dict, blank=True, verbose_name=_("request"))
    response_status = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=_("response status")
    )
    response_headers = models.JSONField(default=dict, blank=True, verbose_name=_("response headers"))
    response_body = models.TextField(blank=True, verbose_name=_("response body"))
    error = models.TextField(blank=True, verbose_name=_("error"))
    # A MessageStatus value, or OUTCOME_UNKNOWN while in flight (or forever,
    # when the worker died before recording the answer).
    outcome = models.CharField(max_length=10, blank=True, verbose_name=_("outcome"))
    worker = models.CharField(max_length=100, blank=True, verbose_name=_("worker"))

    class Meta:
        verbose_name_plural = _("message attempts")
        verbose_name = _("message attempt")
        ordering = ["message", "number"]
        constraints = [models.UniqueConstraint(fields=["message", "number"], name="unique_attempt_number")]

    def __str__(self) -> str:
        return f"Attempt {self.number} of message {self.message_id}"
