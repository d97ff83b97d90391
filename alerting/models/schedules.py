"""Recurring time windows, shared by off-duty schedules and maintenance periods.

Uptrends defines both the same way: one-time (a start and an end moment), daily,
weekly (a weekday) or monthly (a day of the month, 31 meaning the last day),
each with a start and end time of day. A window whose end time is before its
start time runs past midnight.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduleMode(models.TextChoices):
    ONE_TIME = "one_time", "One time"
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


# The fields of a window, as ScheduleWindow declares them.
WINDOW_FIELDS = ("mode", "start_datetime", "end_datetime", "weekday", "month_day", "start_time", "end_time")


class ScheduleWindow(models.Model):
    mode = models.CharField(
        max_length=10, choices=ScheduleMode.choices, default=ScheduleMode.ONE_TIME, verbose_name=_("mode")
    )
    start_datetime = models.DateTimeField(
        _("starts"), null=True, blank=True, help_text=_("One-time windows only.")
    )
    end_datetime = models.DateTimeField(
        _("ends"), null=True, blank=True, help_text=_("One-time windows only.")
    )
    weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices,
        null=True,
        blank=True,
        help_text=_("Weekly windows only."),
        verbose_name=_("weekday"),
    )
    month_day = models.PositiveSmallIntegerField(
        _("day of the month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("Monthly windows only; 31 means the last day of every month."),
    )
    start_time = models.TimeField(
        _("from"), null=True, blank=True, help_text=_("Daily, weekly and monthly windows.")
    )
    end_time = models.TimeField(
        _("until"), null=True, blank=True, help_text=_("Daily, weekly and monthly windows.")
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        if self.mode == ScheduleMode.ONE_TIME:
            if not self.start_datetime:
                errors["start_datetime"] = _("A one-time window needs a start.")
            if not self.end_datetime:
                errors["end_datetime"] = _("A one-time window needs an end.")
            if self.start_datetime and self.end_datetime and self.end_datetime <= self.start_datetime:
                errors["end_datetime"] = _("The end must be after the start.")
        else:
            if self.start_time is None:
                errors["start_time"] = _("A recurring window needs a start time.")
            if self.end_time is None:
                errors["end_time"] = _("A recurring window needs an end time.")
            if self.start_time is not None and self.start_time == self.end_time:
                errors["end_time"] = _("The end time must differ from the start time.")
            if self.mode == ScheduleMode.WEEKLY and self.weekday is None:
                errors["weekday"] = _("A weekly window needs a weekday.")
            if self.mode == ScheduleMode.MONTHLY and self.month_day is None:
                errors["month_day"] = _("A monthly window needs a day of the month.")
        if errors:
            raise ValidationError(errors)

    def covers(self, moment: dt.datetime, tz: dt.tzinfo | str) -> bool:
        """Whether the aware datetime ``moment`` falls inside this window.

        Recurring windows are read in ``tz`` (the account's or operator's zone).
        """
        return window_covers(self, moment, tz)

    def describe(self) -> str:
        if self.mode == ScheduleMode.ONE_TIME:
            return f"{self.start_datetime:%Y-%m-%d %H:%M} – {self.end_datetime:%Y-%m-%d %H:%M}"
        times = f"{self.start_time:%H:%M}–{self.end_time:%H:%M}" if self.start_time and self.end_time else ""
        if self.mode == ScheduleMode.WEEKLY and self.weekday is not None:
            return f"Every {Weekday(self.weekday).label} {times}"
        if self.mode == ScheduleMode.MONTHLY:
            day = "last day" if self.month_day == 31 else f"day {self.month_day}"
            return f"Monthly on {day} {times}"
        return f"Daily {times}"


def window_covers(window: ScheduleWindow | Any, moment: dt.datetime, tz: dt.tzinfo | str) -> bool:
    """Whether ``moment`` falls inside ``window``: a ScheduleWindow, or any
    object with the same attributes (the engine's compiled configuration keeps
    windows as plain data)."""
    if window.mode == ScheduleMode.ONE_TIME:
        if not (window.start_datetime and window.end_datetime):
            return False
        return window.start_datetime <= moment < window.end_datetime
    if window.start_time is None or window.end_time is None:
        return False
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    local = moment.astimezone(zone)
    # A window that crosses midnight started on the previous day when we are
    # before its end time; check both the day itself and the day before.
    for offset in (0, 1):
        day = local.date() - dt.timedelta(days=offset)
        if not _runs_on(window, day):
            continue
        start = dt.datetime.combine(day, window.start_time, tzinfo=zone)
        end_day = day if window.end_time > window.start_time else day + dt.timedelta(days=1)
        end = dt.datetime.combine(end_day, window.end_time, tzinfo=zone)
        if start <= local < end:
            return True
    return False


def _runs_on(window: ScheduleWindow | Any, day: dt.date) -> bool:
    if window.mode == ScheduleMode.DAILY:
        return True
    if window.mode == ScheduleMode.WEEKLY:
        return day.weekday() == window.weekday
    if window.mode == ScheduleMode.MONTHLY and window.month_day:
        last = calendar.monthrange(day.year, day.month)[1]
        return day.day == min(window.month_day, last)
    return False
