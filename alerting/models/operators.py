from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from alerting.models.config import ConfigManager
from alerting.models.schedules import ScheduleWindow
from alerting.validators import validate_e164, validate_time_zone


class Language(models.TextChoices):
    EN_US = "en-US", "English (US)"
    EN_GB = "en-GB", "English (UK)"
    DE_DE = "de-DE", "German"
    FR_FR = "fr-FR", "French"
    NL_NL = "nl-NL", "Dutch"


class Operator(models.Model):
    """A person who can be alerted (Uptrends' operator)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("id"))
    full_name = models.CharField(max_length=200, verbose_name=_("full name"))
    email = models.EmailField(unique=True, verbose_name=_("email"))
    mobile_phone = models.CharField(
        max_length=20,
        blank=True,
        validators=[validate_e164],
        help_text=_("E.164 form, e.g. +14155550100. Used for SMS and phone alerts."),
        verbose_name=_("mobile phone"),
    )
    backup_email = models.EmailField(blank=True, verbose_name=_("backup email"))
    is_active = models.BooleanField(
        default=True, help_text=_("An inactive operator never receives alerts."), verbose_name=_("is active")
    )
    is_on_duty = models.BooleanField(
        default=True,
        help_text=_("Off duty means no alerts at all, whatever the schedules say."),
        verbose_name=_("is on duty"),
    )
    language = models.CharField(
        max_length=5, choices=Language.choices, default=Language.EN_US, verbose_name=_("language")
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Empty means the account time zone."),
        verbose_name=_("time zone"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="operator",
        help_text=_("Optional login for this operator."),
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = ConfigManager()

    class Meta:
        verbose_name_plural = _("operators")
        verbose_name = _("operator")
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name

    def zone(self) -> str:
        return self.time_zone or settings.TIME_ZONE

    def is_available(self, moment: dt.datetime) -> bool:
        """Active, on duty, and outside every off-duty window at ``moment``.

        Off-duty schedules are prefetched by the engine; this reads ``.all()``
        so the prefetch cache is used.
        """
        if not (self.is_active and self.is_on_duty):
            return False
        # Schedules use the account time zone, as Uptrends does.
        return not any(s.covers(moment, settings.TIME_ZONE) for s in self.off_duty_schedules.all())


class OffDutySchedule(ScheduleWindow):
    operator = models.ForeignKey(
        Operator, on_delete=models.CASCADE, related_name="off_duty_schedules", verbose_name=_("operator")
    )
    description = models.CharField(max_length=200, blank=True, verbose_name=_("description"))

    objects = ConfigManager()

    class Meta:
        verbose_name_plural = _("off-duty schedules")
        ordering = ["operator", "id"]
        verbose_name = _("off-duty schedule")

    def __str__(self) -> str:
        return self.describe()


class OperatorGroup(models.Model):
    """A named set of operators. *Everyone* holds every operator automatically."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("id"))
    name = models.CharField(max_length=200, unique=True, verbose_name=_("name"))
    is_everyone = models.BooleanField(default=False, editable=False, verbose_name=_("is everyone"))
    is_administrators = models.BooleanField(
        default=False, editable=False, verbose_name=_("is administrators")
    )
    members = models.ManyToManyField(Operator, blank=True, related_name="groups", verbose_name=_("members"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = ConfigManager()

    class Meta:
        verbose_name_plural = _("operator groups")
        verbose_name = _("operator group")
        ordering = ["-is_everyone", "-is_administrators", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_everyone"], condition=Q(is_everyone=True), name="one_everyone_group"
            ),
            models.UniqueConstraint(
                fields=["is_administrators"],
                condition=Q(is_administrators=True),
                name="one_administrators_group",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_system(self) -> bool:
        return self.is_everyone or self.is_administrators

    def member_operators(self) -> models.QuerySet[Operator]:
        if self.is_everyone:
            return Operator.objects.all()
        return self.members.all()
