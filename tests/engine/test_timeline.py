"""Escalation scenarios on a controlled clock: every rule of the engine."""

from __future__ import annotations

import datetime as dt

import pytest

from alerting.models import (
    AccountSettings,
    Alert,
    CheckResult,
    EscalationLevel,
    Incident,
    MaintenancePeriod,
    Monitor,
    MonitorGroup,
)
from integrations.models import LevelIntegration, Message
from tests.engine import factories as f
from tests.engine.timeline import A, O, R, assert_timeline, at, error, ok, play

pytestmark = pytest.mark.django_db

D = "Ops"


@pytest.fixture(autouse=True)
def quiet_default():
    f.silence_default_definition()


def three_levels(**kw):
    return [
        {"threshold": 1, **kw.get("l1", {})},
        {"threshold": 3, **kw.get("l2", {})},
        {"threshold": 5, **kw.get("l3", {})},
    ]


def test_error_count_three_levels_and_ok_after_several_levels():
    f.definition(D, three_levels(), groups=[f.all_monitors()])
    run = assert_timeline(
        [error(m) for m in range(0, 6)] + [ok(9)],
        [A(0, D, 1), A(2, D, 2), A(4, D, 3), O(9, D, 1), O(9, D, 2), O(9, D, 3)],
        until=15,
    )
    oks = [a for a in run.alerts if a.alert_type == "Ok"]
    assert {a.variables["@alert.downtimeDuration"] for a in oks} == {"0:09:00"}
    incident = Incident.objects.get()
    assert incident.resolved_at == at(9)
    assert incident.consecutive_errors == 6


def test_ok_resets_the_consecutive_count_and_opens_a_new_incident():
    f.definition(D, [{"threshold": 2}], groups=[f.all_monitors()])
    assert_timeline(
        [error(0), ok(1), error(2), ok(3), error(4), error(5), ok(6)],
        [A(5, D), O(6, D)],
        until=8,
    )
    incidents = list(Incident.objects.order_by("opened_at"))
    assert len(incidents) == 3
    assert len({i.key for i in incidents}) == 3
    assert [i.opened_at for i in incidents] == [at(0), at(2), at(4)]
    assert all(i.resolved_at for i in incidents)


def test_ok_after_one_level_only_sends_ok_for_the_level_that_fired():
    f.definition(D, three_levels(), groups=[f.all_monitors()])
    run = assert_timeline([error(0), error(1), ok(3)], [A(0, D, 1), O(3, D, 1)], until=10)
    ok_alert = next(a for a in run.alerts if a.alert_type == "Ok")
    assert ok_alert.variables["@alert.downtimeDuration"] == "0:03:00"


def test_error_duration_fires_from_the_sweep_without_further_submissions():
    f.definition(D, [{"mode": "error_duration", "threshold": 5}], groups=[f.all_monitors()])
    # At minute 5 the errors have lasted exactly 5 minutes, not more: minute 6.
    assert_timeline([error(0)], [A(6, D)], until=20)


def test_error_duration_fires_on_a_submission_between_ticks():
    f.definition(D, [{"mode": "error_duration", "threshold": 5}], groups=[f.all_monitors()])
    assert_timeline([error(0), error(5.5), ok(8)], [A(5.5, D), O(8, D)], until=10)


def test_error_duration_not_reached_gives_nothing():
    f.definition(D, [{"mode": "error_duration", "threshold": 5}], groups=[f.all_monitors()])
    assert_timeline([error(0), error(2), ok(4)], [], until=12)


def test_mixed_modes_across_levels():
    f.definition(
        D,
        [{"threshold": 2}, {"mode": "error_duration", "threshold": 10}, {"threshold": 50}],
        groups=[f.all_monitors()],
    )
    assert_timeline(
        [error(0), error(3), ok(20)],
        [A(3, D, 1), A(11, D, 2), O(20, D, 1), O(20, D, 2)],
        until=25,
    )


def test_reminders_up_to_their_limit():
    f.definition(D, [{"threshold": 1, "reminders": 2, "delay": 10}], groups=[f.all_monitors()])
    run = assert_timeline([error(0), ok(50)], [A(0, D), R(10, D), R(20, D), O(50, D)], until=60)
    reminders = [a for a in run.alerts if a.alert_type == "Reminder"]
    assert {a.variables["@alert.type"] for a in reminders} == {"Reminder"}
    assert reminders[0].variables["@alert.timestampUtc"] == "2026-01-05T09:10:00"


def test_reminders_stop_once_the_incident_is_resolved():
    f.definition(D, [{"threshold": 1, "reminders": 5, "delay": 10}], groups=[f.all_monitors()])
    assert_timeline([error(0), ok(15)], [A(0, D), R(10, D), O(15, D)], until=60)


def test_reminders_per_level_run_independently():
    f.definition(
        D,
        [
            {"threshold": 1, "reminders": 1, "delay": 5},
            {"threshold": 2, "reminders": 2, "delay": 7},
        ],
        groups=[f.all_monitors()],
    )
    assert_timeline(
        [error(0), error(1)],
        [A(0, D, 1), A(1, D, 2), R(5, D, 1), R(8, D, 2), R(15, D, 2)],
        until=40,
    )


def test_zero_reminders_means_none():
    f.definition(D, [{"threshold": 1, "reminders": 0, "delay": 1}], groups=[f.all_monitors()])
    assert_timeline([error(0)], [A(0, D)], until=10)


def test_reminder_limit_lowered_after_firing_stops_reminders():
    f.definition(D, [{"threshold": 1, "reminders": 3, "delay": 5}], groups=[f.all_monitors()])
    play([error(0)], until=6)
    EscalationLevel.objects.filter(definition__name=D).update(number_of_reminders=1)
    run = play([], until=30)
    assert [a.alert_type for a in run.alerts] == ["Alert", "Reminder"]


def test_several_definitions_on_one_monitor_direct_group_and_all_monitors():
    web = f.monitor("web")
    group = MonitorGroup.objects.create(name="Public sites")
    group.monitors.add(web)
    f.definition("Direct", [{"threshold": 1}], monitors=[web])
    f.definition("Group", [{"threshold": 2}], groups=[group])
    f.definition("Everything", [{"threshold": 3}], groups=[f.all_monitors()])
    f.definition("Elsewhere", [{"threshold": 1}], monitors=[f.monitor("other")])
    assert_timeline(
        [error(0), error(1), error(2), ok(4)],
        [
            A(0, "Direct"),
            A(1, "Group"),
            A(2, "Everything"),
            O(4, "Direct"),
            O(4, "Group"),
            O(4, "Everything"),
        ],
        until=5,
    )


def test_a_new_monitor_is_covered_through_all_monitors():
    f.definition(D, [{"threshold": 1}], groups=[f.all_monitors()])
    assert_timeline([error(0, monitor="brand-new")], [A(0, D, monitor="brand-new")], until=1)
    assert Monitor.objects.get(key="brand-new").name == "brand-new"


def test_monitors_have_separate_incidents():
    f.definition(D, [{"threshold": 2}], groups=[f.all_monitors()])
    assert_timeline(
        [error(0, "a"), error(1, "b"), error(2, "a"), ok(3, "b"), error(4, "b"), ok(5, "a")],
        [A(2, D, monitor="a"), O(5, D, monitor="a")],
        until=6,
    )


def test_out_of_order_submission_is_stored_but_changes_nothing():
    f.definition(D, [{"threshold": 1}], groups=[f.all_monitors()])
    run = assert_timeline(
        [error(5), ok(6, checked_at=3), error(7)],
        [A(5, D)],
        until=10,
    )
    late = run.outcomes[1]
    assert late.ignored and "older" in late.ignored
    assert late.incident is None and late.alerts == []
    stored = CheckResult.objects.get(pk=late.check_result.pk)
    assert stored.out_of_order and stored.ignored_reason == late.ignored
    incident = Incident.objects.get()
    assert incident.resolved_at is None and incident.consecutive_errors == 2
    assert Monitor.objects.get(key="web").last_check_at == at(7)


def test_same_timestamp_is_not_out_of_order():
    f.definition(D, [{"threshold": 2}], groups=[f.all_monitors()])
    assert_timeline([error(1), error(2, checked_at=1)], [A(2, D)], until=3)


def test_inactive_monitor_and_generate_alerts_off_raise_nothing():
    f.definition(D, [{"threshold": 1}], groups=[f.all_monitors()])
    f.monitor("off", is_active=False)
    f.monitor("quiet", generate_alerts=False)
    f.monitor("loud")
    assert_timeline(
        [error(0, "off"), error(0, "quiet"), error(0, "loud"), ok(2, "off"), ok(2, "quiet"), ok(2, "loud")],
        [A(0, D, monitor="loud"), O(2, D, monitor="loud")],
        until=3,
    )
    # Results are still stored, and incidents tracked, for the silent monitors.
    assert CheckResult.objects.filter(monitor__key="quiet").count() == 2
    assert Incident.objects.filter(monitor__key="quiet").count() == 1


def test_inactive_definition_and_inactive_level_do_nothing():
    f.definition("Off", [{"threshold": 1}], groups=[f.all_monitors()], is_active=False)
    f.definition(D, [{"threshold": 1, "active": False}, {"threshold": 2}], groups=[f.all_monitors()])
    assert_timeline([error(0), error(1), ok(2)], [A(1, D, 2), O(2, D, 2)], until=3)


def test_error_duration_with_reminders_driven_by_the_sweep_alone():
    f.definition(
        D, [{"mode": "error_duration", "threshold": 2, "reminders": 2, "delay": 3}], groups=[f.all_monitors()]
    )
    assert_timeline([error(0)], [A(3, D), R(6, D), R(9, D)], until=20)


def test_maintenance_disable_notifications_records_alerts_without_messages():
    f.definition(D, [{"threshold": 1, "reminders": 1, "delay": 30}], groups=[f.all_monitors()])
    web = f.monitor("web")
    MaintenancePeriod.objects.create(
        monitor=web,
        mode="one_time",
        start_datetime=at(0),
        end_datetime=at(20),
        maintenance_type="disable_notifications",
    )
    run = assert_timeline([error(1), ok(40)], [A(1, D), R(31, D), O(40, D)], until=45)
    first, reminder, ok_alert = run.alerts
    assert first.suppressed_reason.startswith("maintenance")
    assert not first.messages.exists()
    # Once the window is over, messages flow again.
    assert reminder.suppressed_reason == "" and reminder.messages.count() == 1
    assert ok_alert.messages.count() == 1


def test_maintenance_through_a_group_and_recurring_daily():
    f.definition(D, [{"threshold": 1}], groups=[f.all_monitors()])
    f.monitor("web")
    MaintenancePeriod.objects.create(
        monitor_group=f.all_monitors(),
        mode="daily",
        start_time=dt.time(8, 30),
        end_time=dt.time(9, 5),
        maintenance_type="disable_notifications",
    )
    run = assert_timeline([error(1), ok(7), error(8)], [A(1, D), O(7, D), A(8, D)], until=9)
    assert [bool(a.suppressed_reason) for a in run.alerts] == [True, False, False]


def test_maintenance_disable_monitoring_ignores_submissions():
    f.definition(D, [{"threshold": 1}], groups=[f.all_monitors()])
    web = f.monitor("web")
    MaintenancePeriod.objects.create(
        monitor=web,
        mode="one_time",
        start_datetime=at(0),
        end_datetime=at(10),
        maintenance_type="disable_monitoring",
    )
    run = assert_timeline([error(1), error(2), error(12)], [A(12, D)], until=13)
    assert run.outcomes[0].ignored.startswith("maintenance")
    assert CheckResult.objects.filter(ignored_reason__startswith="maintenance").count() == 2
    assert Incident.objects.get().opened_at == at(12)


def test_stop_all_alerts_records_alerts_without_messages():
    f.definition(D, [{"threshold": 1}], groups=[f.all_monitors()])
    AccountSettings.objects.filter(pk=1).update(stop_all_alerts=True)
    run = assert_timeline([error(0), ok(2)], [A(0, D), O(2, D)], until=3)
    assert all(a.suppressed_reason == "stop all alerts is on" for a in run.alerts)
    assert not Message.objects.exists()


def test_inactive_integration_and_inactive_link_send_nothing():
    chat = f.integration("Chat")
    off = f.integration("Off", is_active=False)
    unlinked = f.integration("Unlinked")
    d = f.definition(D, [{"threshold": 1, "integrations": [chat, off, unlinked]}], groups=[f.all_monitors()])
    LevelIntegration.objects.filter(level__definition=d, integration=unlinked).update(is_active=False)
    run = assert_timeline([error(0)], [A(0, D)], until=1)
    assert [m.integration.name for m in run.alerts[0].messages.all()] == ["Chat"]


def test_on_duty_off_duty_and_schedules_decide_recipients():
    on = f.operator("Ann On", mobile_phone="+31612345678")
    f.operator("Bob Offduty", is_on_duty=False, mobile_phone="+31612345679")
    scheduled = f.operator("Cas Scheduled", mobile_phone="+31612345670")
    scheduled.off_duty_schedules.create(mode="daily", start_time=dt.time(8, 0), end_time=dt.time(9, 30))
    f.operator("Dee Inactive", is_active=False, mobile_phone="+31612345671")
    f.operator("Eve Nomobile")
    email, sms = f.builtin("email"), f.builtin("sms")
    f.definition(
        D,
        [
            {
                "threshold": 1,
                "reminders": 1,
                "delay": 40,
                "operator_groups": [f.everyone()],
                "integrations": [email, sms],
            }
        ],
        groups=[f.all_monitors()],
    )
    run = assert_timeline([error(0)], [A(0, D), R(40, D)], until=41)
    first, reminder = run.alerts

    def recipients(alert, kind):
        return sorted(m.recipient for m in alert.messages.filter(integration__kind=kind))

    assert recipients(first, "email") == ["ann.on@example.com", "eve.nomobile@example.com"]
    assert recipients(first, "sms") == ["+31612345678"]
    # At 09:40 Cas's off-duty window (08:00–09:30) is over.
    assert recipients(reminder, "email") == [
        "ann.on@example.com",
        "cas.scheduled@example.com",
        "eve.nomobile@example.com",
    ]
    assert recipients(reminder, "sms") == ["+31612345670", "+31612345678"]
    assert {m.operator for m in first.messages.filter(integration__kind="sms")} == {on}


def test_duration_level_fires_during_maintenance_then_reminds_after():
    f.definition(
        D,
        [{"mode": "error_duration", "threshold": 1, "reminders": 1, "delay": 10}],
        groups=[f.all_monitors()],
    )
    AccountSettings.objects.filter(pk=1).update(stop_all_alerts=True)
    run = play([error(0)], until=5)
    assert [a.suppressed_reason for a in run.alerts] == ["stop all alerts is on"]
    AccountSettings.objects.filter(pk=1).update(stop_all_alerts=False)
    run = play([], until=15)
    reminder = run.alerts[-1]
    assert reminder.alert_type == "Reminder" and reminder.messages.count() == 1


def test_sweep_twice_at_the_same_moment_raises_once():
    f.definition(
        D, [{"mode": "error_duration", "threshold": 1, "reminders": 1, "delay": 1}], groups=[f.all_monitors()]
    )
    from alerting.engine.sweep import sweep

    play([error(0)], until=0)
    for _ in range(3):
        sweep(now=at(2))
    for _ in range(3):
        sweep(now=at(3))
    assert [a.alert_type for a in Alert.objects.order_by("timestamp")] == ["Alert", "Reminder"]


def test_the_sweep_schedule_exists_and_its_function_resolves():
    from pydoc import locate

    from django_q.models import Schedule

    from integrations.tasks import ESCALATION_SWEEP

    SWEEP_FUNC, SWEEP_NAME = ESCALATION_SWEEP.func, ESCALATION_SWEEP.name
    schedule = Schedule.objects.get(name=SWEEP_NAME)
    assert (schedule.func, schedule.schedule_type, schedule.minutes, schedule.repeats) == (
        SWEEP_FUNC,
        "I",
        1,
        -1,
    )
    # django-q2 finds the task with pydoc.locate; a name in the way hides it.
    assert callable(locate(SWEEP_FUNC))
