from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alerting.models.config import ConfigManager
from alerting.models.monitors import Monitor, MonitorGroup
from alerting.models.operators import Operator, OperatorGroup

DEFAULT_LEVEL_COUNT = 3
MAX_LEVELS = 10


class AlertDefinition(models.Model):
    """Which monitors it covers, and the escalation levels that decide who is told."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("id"))
    name = models.CharField(max_length=200, unique=True, verbose_name=_("name"))
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))
    monitors = models.ManyToManyField(
        Monitor, blank=True, related_name="alert_definitions", verbose_name=_("monitors")
    )
    monitor_groups = models.ManyToManyField(
        MonitorGroup, blank=True, related_name="alert_definitions", verbose_name=_("monitor groups")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = ConfigManager()

    class Meta:
        verbose_name_plural = _("alert definitions")
        verbose_name = _("alert definition")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def create_with_default_levels(cls, **fields: object) -> AlertDefinition:
        """Create a definition with levels 1..3 as Uptrends does: level 1 active
        at one error, the others inactive until configured."""
        with transaction.atomic():
            definition = cls.objects.create(**fields)
            definition.add_default_levels()
        return definition

    def add_default_levels(self) -> None:
        existing = set(self.levels.values_list("number", flat=True))
        EscalationLevel.objects.bulk_create(
            EscalationLevel(definition=self, number=n, is_active=(n == 1), threshold=n)
            for n in range(1, DEFAULT_LEVEL_COUNT + 1)
            if n not in existing
        )


class EscalationMode(models.TextChoices):
    ERROR_COUNT = "error_count", "Error count (N or more consecutive errors)"
    ERROR_DURATION = "error_duration", "Error duration (errors for more than N minutes)"


class EscalationLevel(models.Model):
    definition = models.ForeignKey(
        AlertDefinition, on_delete=models.CASCADE, related_name="levels", verbose_name=_("definition")
    )
    number = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_LEVELS)], verbose_name=_("number")
    )
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))
    mode = models.CharField(
        max_length=20,
        choices=EscalationMode.choices,
        default=EscalationMode.ERROR_COUNT,
        verbose_name=_("mode"),
    )
    threshold = models.PositiveIntegerField(
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("Consecutive errors (error count mode) or minutes (error duration mode)."),
        verbose_name=_("threshold"),
    )
    number_of_reminders = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_("0 turns reminders off."),
        verbose_name=_("number of reminders"),
    )
    reminder_delay_minutes = models.PositiveIntegerField(
        default=60,
        validators=[MinValueValidator(1)],
        help_text=_("Minutes between reminders."),
        verbose_name=_("reminder delay minutes"),
    )
    message = models.TextField(
        _("custom message"), blank=True, help_text=_("Sent with the alert; {{@escalationLevel.message}}.")
    )
    operators = models.ManyToManyField(
        Operator, blank=True, related_name="escalation_levels", verbose_name=_("operators")
    )
    operator_groups = models.ManyToManyField(
        OperatorGroup, blank=True, related_name="escalation_levels", verbose_name=_("operator groups")
    )

    objects = ConfigManager()

    class Meta:
        verbose_name_plural = _("escalation levels")
        verbose_name = _("escalation level")
        ordering = ["definition", "number"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "number"], name="unique_level_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="level_number_positive"),
            models.CheckConstraint(condition=Q(threshold__gte=1), name="level_threshold_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.definition} – level {self.number}"

    def describe_trigger(self) -> str:
        if self.mode == EscalationMode.ERROR_DURATION:
            return f"errors for more than {self.threshold} min"
        return f"{self.threshold} or more errors"


def validate_level_numbers(numbers: list[int]) -> None:
    """Levels are numbered 1..N without gaps or repeats."""
    ordered = sorted(numbers)
    if len(set(ordered)) != len(ordered):
        raise ValidationError(gettext("Each escalation level number may be used only once."))
    if ordered != list(range(1, len(ordered) + 1)):
        raise ValidationError(
            gettext("Escalation levels must be numbered 1, 2, 3, … without gaps (got %(numbers)s).")
            % {"numbers": ", ".join(map(str, ordered))}
        )


# The validators of a level's integration settings (``integrations.models.
# level_links``), which moved to integrations; these stay here because the
# migrations name them by this path.


def validate_email_list(value: object) -> None:
    from django.core.validators import validate_email

    if not isinstance(value, list):
        raise ValidationError(gettext("Enter a list of e-mail addresses."))
    for item in value:
        if not isinstance(item, str):
            raise ValidationError(gettext("Enter a list of e-mail addresses."))
        try:
            validate_email(item)
        except ValidationError:
            raise ValidationError(
                gettext("%(value)s is not a valid e-mail address.") % {"value": repr(item)}
            ) from None


def validate_statushub_links(value: object) -> None:
    if not isinstance(value, list) or not all(
        isinstance(item, dict)
        and isinstance(item.get("monitor"), str)
        and isinstance(item.get("service"), str)
        for item in value
    ):
        raise ValidationError(
            gettext('Enter a list of {"monitor": <monitor key>, "service": <service name>}.')
        )
