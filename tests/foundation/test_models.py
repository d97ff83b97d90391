from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from alerting.models import (
    AlertDefinition,
    EscalationLevel,
    Incident,
    MaintenancePeriod,
    Monitor,
    OffDutySchedule,
    Operator,
    ScheduleMode,
)
from alerting.models.definitions import validate_level_numbers
from integrations.models import Integration, IntegrationStep

UTC = dt.UTC


@pytest.mark.parametrize("number", ["+14155550100", "+31612345678", "+442071838750"])
def test_e164_accepts(db, number: str) -> None:
    Operator(full_name="A", email="a@example.com", mobile_phone=number).full_clean()


@pytest.mark.parametrize("number", ["0612345678", "+0612345678", "+31 6 1234 5678", "+1-415-555", "+123"])
def test_e164_rejects(db, number: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        Operator(full_name="A", email="a@example.com", mobile_phone=number).full_clean()
    assert "mobile_phone" in excinfo.value.message_dict
    assert "E.164" in excinfo.value.message_dict["mobile_phone"][0]


def test_operator_time_zone_is_validated(db) -> None:
    with pytest.raises(ValidationError) as excinfo:
        Operator(full_name="A", email="a@example.com", time_zone="Mars/Olympus").full_clean()
    assert "time_zone" in excinfo.value.message_dict


def test_level_numbers_unique_per_definition(db) -> None:
    definition = AlertDefinition.create_with_default_levels(name="D")
    assert list(definition.levels.values_list("number", flat=True)) == [1, 2, 3]
    with pytest.raises(IntegrityError), transaction.atomic():
        EscalationLevel.objects.create(definition=definition, number=2)


def test_level_numbering_rules() -> None:
    validate_level_numbers([1, 2, 3])
    validate_level_numbers([2, 1])
    with pytest.raises(ValidationError, match="without gaps"):
        validate_level_numbers([1, 3])
    with pytest.raises(ValidationError, match="only once"):
        validate_level_numbers([1, 1, 2])
    with pytest.raises(ValidationError, match="without gaps"):
        validate_level_numbers([2, 3])


def test_one_open_incident_per_monitor(db) -> None:
    monitor = Monitor.objects.create(key="web", name="Web")
    now = timezone.now()
    Incident.objects.create(key="k1", monitor=monitor, opened_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        Incident.objects.create(key="k2", monitor=monitor, opened_at=now)
    # Resolved incidents do not count.
    Incident.objects.filter(key="k1").update(resolved_at=now)
    Incident.objects.create(key="k3", monitor=monitor, opened_at=now)


def test_monitor_keys_unique(db) -> None:
    Monitor.objects.create(key="web", name="Web")
    with pytest.raises(IntegrityError), transaction.atomic():
        Monitor.objects.create(key="web", name="Other")


def test_several_steps_may_handle_one_alert_type_in_distinct_positions(db) -> None:
    """A chain (a lookup, then the update) has several steps for one alert
    type; each step has its own position."""
    integration = Integration.objects.create(name="Hook", kind="webhook")
    IntegrationStep.objects.create(integration=integration, position=1, url="https://example.com/a")
    IntegrationStep.objects.create(integration=integration, position=2, url="https://example.com/b")
    assert integration.steps.filter(handles_alert=True).count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        IntegrationStep.objects.create(integration=integration, position=2, url="https://example.com/c")


def test_maintenance_targets_monitor_or_group(db) -> None:
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        MaintenancePeriod.objects.create(start_datetime=now, end_datetime=now + dt.timedelta(hours=1))
    with pytest.raises(ValidationError, match="exactly one"):
        MaintenancePeriod(start_datetime=now, end_datetime=now + dt.timedelta(hours=1)).full_clean()


def _window(**fields: object) -> OffDutySchedule:
    return OffDutySchedule(**fields)


def test_schedule_windows() -> None:
    at = dt.datetime(2026, 11, 27, 23, 30, tzinfo=UTC)  # a Friday
    daily_overnight = _window(mode=ScheduleMode.DAILY, start_time=dt.time(22), end_time=dt.time(6))
    assert daily_overnight.covers(at, "UTC")
    assert daily_overnight.covers(at + dt.timedelta(hours=5), "UTC")
    assert not daily_overnight.covers(at + dt.timedelta(hours=7), "UTC")
    weekly = _window(mode=ScheduleMode.WEEKLY, weekday=4, start_time=dt.time(9), end_time=dt.time(17))
    assert weekly.covers(at.replace(hour=10), "UTC")
    assert not weekly.covers(at.replace(day=28, hour=10), "UTC")
    last_day = _window(mode=ScheduleMode.MONTHLY, month_day=31, start_time=dt.time(0), end_time=dt.time(12))
    assert last_day.covers(dt.datetime(2026, 11, 30, 1, tzinfo=UTC), "UTC")
    assert not last_day.covers(dt.datetime(2026, 11, 29, 1, tzinfo=UTC), "UTC")
    one_time = _window(mode=ScheduleMode.ONE_TIME, start_datetime=at, end_datetime=at + dt.timedelta(hours=1))
    assert one_time.covers(at, "UTC") and not one_time.covers(at + dt.timedelta(hours=1), "UTC")
    # Recurring windows are read in the given time zone.
    local = _window(mode=ScheduleMode.DAILY, start_time=dt.time(9), end_time=dt.time(10))
    assert local.covers(dt.datetime(2026, 11, 27, 8, 30, tzinfo=UTC), "Europe/Amsterdam")


def test_schedule_validation() -> None:
    with pytest.raises(ValidationError) as excinfo:
        _window(mode=ScheduleMode.WEEKLY, start_time=dt.time(9), end_time=dt.time(9)).clean()
    assert set(excinfo.value.message_dict) == {"weekday", "end_time"}
    with pytest.raises(ValidationError):
        _window(mode=ScheduleMode.ONE_TIME).clean()


def test_operator_availability(db) -> None:
    operator = Operator.objects.create(full_name="A", email="a@example.com")
    now = timezone.now()
    assert operator.is_available(now)
    OffDutySchedule.objects.create(
        operator=operator,
        mode=ScheduleMode.ONE_TIME,
        start_datetime=now - dt.timedelta(minutes=1),
        end_datetime=now + dt.timedelta(minutes=1),
    )
    assert not Operator.objects.get(pk=operator.pk).is_available(now)
    assert Operator.objects.get(pk=operator.pk).is_available(now + dt.timedelta(minutes=2))
    operator.is_on_duty = False
    assert not operator.is_available(now + dt.timedelta(minutes=2))
