from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from integrations.models.integrations import Integration


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired"


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

    alert = models.ForeignKey("alerting.Alert", null=True, on_delete=models.CASCADE, related_name="messages")
    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="messages")
    level_link = models.ForeignKey(
        "alerting.LevelIntegration", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Per-level variable values as they were when the alert was raised.
    level_variables = models.JSONField(default=dict, blank=True)
    recipient = models.CharField(max_length=300, blank=True, help_text="E-mail address or phone number.")
    operator = models.ForeignKey(
        "alerting.Operator", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    # An Ok waits for its Alert (same incident and integration) to be final.
    depends_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="dependents"
    )
    is_test = models.BooleanField("test message", default=False)
    status = models.CharField(max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    attempt_count = models.PositiveIntegerField(default=0)
    # A replay starts a fresh retry schedule and a fresh maximum age: attempts
    # before it do not count against the schedule, and it expires from then.
    attempts_before_replay = models.PositiveIntegerField(default=0, editable=False)
    expires_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Empty: the maximum age after creation."
    )
    next_attempt_at = models.DateTimeField()
    lease_owner = models.CharField(max_length=100, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # The last attempt's request (secrets redacted) and response.
    request = models.JSONField(default=dict, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    response_body = models.TextField(blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField("duration (ms)", null=True, blank=True)

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
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField("duration (ms)", null=True, blank=True)
    request = models.JSONField(default=dict, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    response_body = models.TextField(blank=True)
    error = models.TextField(blank=True)
    # A MessageStatus value, or OUTCOME_UNKNOWN while in flight (or forever,
    # when the worker died before recording the answer).
    outcome = models.CharField(max_length=10, blank=True)
    worker = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name_plural = _("message attempts")
        verbose_name = _("message attempt")
        ordering = ["message", "number"]
        constraints = [models.UniqueConstraint(fields=["message", "number"], name="unique_attempt_number")]

    def __str__(self) -> str:
        return f"Attempt {self.number} of message {self.message_id}"
