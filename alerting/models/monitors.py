from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from alerting.models.config import ConfigManager
from alerting.models.schedules import ScheduleWindow
from alerting.validators import monitor_key_validator, validate_string_map

# The heartbeat fields as the admin, the API and the configuration file show them.
HEARTBEAT_FIELDS = ("expected_interval_seconds", "grace_seconds")
MAX_HEARTBEAT_SECONDS = 366 * 24 * 3600


class Monitor(models.Model):
    """Something that is checked. Created in the admin, by the API, or on the
    first submission that names an unknown key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("id"))
    key = models.CharField(
        max_length=200,
        unique=True,
        validators=[monitor_key_validator],
        help_text=_("The key monitoring tools use when they submit results for this monitor."),
        verbose_name=_("key"),
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    monitor_type = models.CharField(
        _("type"), max_length=100, blank=True, help_text=_("e.g. HTTPS, DNS, Transaction")
    )
    url = models.CharField(_("URL or address"), max_length=2000, blank=True)
    notes = models.TextField(blank=True, verbose_name=_("notes"))
    custom_fields = models.JSONField(
        default=dict,
        blank=True,
        validators=[validate_string_map],
        help_text=_("Name → value pairs, e.g. ComponentId → 7149488f; read by @CustomField(name)."),
        verbose_name=_("custom fields"),
    )
    name_for_phone_alerts = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Spoken instead of the name in phone alerts."),
        verbose_name=_("name for phone alerts"),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))
    generate_alerts = models.BooleanField(
        default=True,
        help_text=_("Untick to record results without ever alerting."),
        verbose_name=_("generate alerts"),
    )
    # Heartbeat: a result is expected at least this often (alerting.engine.heartbeats).
    expected_interval_seconds = models.PositiveIntegerField(
        _("expected interval (seconds)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(60), MaxValueValidator(MAX_HEARTBEAT_SECONDS)],
        help_text=_(
            "Heartbeat: when no result arrives for this long plus the grace time, an error "
            '"No check result received since …" is recorded. Empty: results are not expected on a schedule.'
        ),
    )
    grace_seconds = models.PositiveIntegerField(
        _("grace time (seconds)"),
        default=60,
        validators=[MaxValueValidator(MAX_HEARTBEAT_SECONDS)],
        help_text=_("Heartbeat: how late a result may be before it counts as missing."),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    # The newest submission timestamp the engine has applied; older ones are
    # stored but change no state.
    last_check_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("last check at")
    )
    last_status = models.CharField(max_length=5, blank=True, editable=False, verbose_name=_("last status"))

    class Meta:
        verbose_name_plural = _("monitors")
        verbose_name = _("monitor")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name or self.key

    def dashboard_url(self) -> str:
        return f"{settings.PUBLIC_BASE_URL}/admin/alerting/monitor/{self.pk}/dashboard/"

    def edit_url(self) -> str:
        return f"{settings.PUBLIC_BASE_URL}/admin/alerting/monitor/{self.pk}/change/"


class MonitorGroup(models.Model):
    """A named set of monitors. *All monitors* holds every monitor automatically."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("id"))
    name = models.CharField(max_length=200, unique=True, verbose_name=_("name"))
    is_all_monitors = models.BooleanField(default=False, editable=False, verbose_name=_("is all monitors"))
    monitors = models.ManyToManyField(Monitor, blank=True, related_name="groups", verbose_name=_("monitors"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = ConfigManager()

    class Meta:
        verbose_name_plural = _("monitor groups")
        verbose_name = _("monitor group")
        ordering = ["-is_all_monitors", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_all_monitors"],
                condition=Q(is_all_monitors=True),
                name="one_all_monitors_group",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_system(self) -> bool:
        return self.is_all_monitors

    def member_monitors(self) -> models.QuerySet[Monitor]:
        if self.is_all_monitors:
            return Monitor.objects.all()
        return self.monitors.all()


class MaintenanceType(models.TextChoices):
    DISABLE_NOTIFICATIONS = "disable_notifications", "Disable notifications only"
    DISABLE_MONITORING = "disable_monitoring", "Disable monitoring"


class MaintenancePeriod(ScheduleWindow):
    """A window in which a monitor (or every monitor of a group) sends no alert
    messages (*disable notifications*) or ignores submissions (*disable monitoring*)."""

    monitor = models.ForeignKey(
        Monitor,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="maintenance_periods",
        verbose_name=_("monitor"),
    )
    monitor_group = models.ForeignKey(
        MonitorGroup,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="maintenance_periods",
        verbose_name=_("monitor group"),
    )
    maintenance_type = models.CharField(
        max_length=25,
        choices=MaintenanceType.choices,
        default=MaintenanceType.DISABLE_NOTIFICATIONS,
        verbose_name=_("maintenance type"),
    )
    description = models.CharField(max_length=200, blank=True, verbose_name=_("description"))

    objects = ConfigManager()

    class Meta:
        verbose_name_plural = _("maintenance periods")
        verbose_name = _("maintenance period")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(monitor__isnull=False, monitor_group__isnull=True)
                    | Q(monitor__isnull=True, monitor_group__isnull=False)
                ),
                name="maintenance_for_monitor_xor_group",
            )
        ]

    def __str__(self) -> str:
        target = self.monitor or self.monitor_group
        return f"{target}: {self.describe()}"

    def clean(self) -> None:
        if bool(self.monitor_id) == bool(self.monitor_group_id):
            raise ValidationError(_("Choose either a monitor or a monitor group (exactly one)."))
        super().clean()

    @classmethod
    def active_for(cls, monitor: Monitor, moment: dt.datetime) -> list[MaintenancePeriod]:
        group_ids = list(monitor.groups.values_list("id", flat=True))
        qs = cls.objects.filter(
            Q(monitor=monitor) | Q(monitor_group_id__in=group_ids) | Q(monitor_group__is_all_monitors=True)
        )
        return [p for p in qs if p.covers(moment, settings.TIME_ZONE)]
