"""Acknowledge, snooze and unacknowledge on a controlled clock: while an
incident is acknowledged no level fires and no reminder is sent; the Ok still
goes out; escalation resumes from where it stood."""

from __future__ import annotations

import pytest

from alerting.engine.acknowledgement import IncidentResolved, acknowledge, unacknowledge
from alerting.engine.due import due_incidents
from alerting.models import EscalationState, Incident
from tests.engine import factories as f
from tests.engine.timeline import A, K, O, R, ack, assert_timeline, at, error, ok, unack

pytestmark = pytest.mark.django_db

D = "Ops"


@pytest.fixture(autouse=True)
def quiet_default():
    f.silence_default_definition()


def count_levels():
    f.definition(D, [{"threshold": 1}, {"threshold": 3}, {"threshold": 5}], groups=[f.all_monitors()])


def test_acknowledged_count_levels_do_not_fire_and_the_ok_still_goes_out():
    count_levels()
    assert_timeline(
        [error(m) for m in range(0, 9)] + [ack(1.5), ok(9)],
        # The acknowledgement is passed on by the level that fired (an Acknowledged alert).
        [A(0, D, 1), K(1.5, D, 1), O(9, D, 1)],
        until=12,
    )
    incident = Incident.objects.get()
    assert incident.status == "resolved"
    # Who acknowledged stays on record after the incident resolved.
    assert (incident.acknowledged_by, incident.acknowledged_at) == ("Dana", at(1.5))


def test_unacknowledge_fires_the_count_levels_reached_meanwhile():
    count_levels()
    assert_timeline(
        [error(m) for m in range(0, 9)] + [ack(1.5), unack(6.5), ok(9)],
        [A(0, D, 1), K(1.5, D, 1), A(6.5, D, 2), A(6.5, D, 3), O(9, D, 1), O(9, D, 2), O(9, D, 3)],
        until=12,
    )


def test_unacknowledge_before_the_next_threshold_resumes_where_it_stood():
    count_levels()
    # Level 2 needs 3 errors: reached at minute 2 during the acknowledgement,
    # fired on unacknowledge; level 3 fires at its own fifth error.
    assert_timeline(
        [error(m) for m in range(0, 7)] + [ack(0.5), unack(2.5), ok(8)],
        [A(0, D, 1), K(0.5, D, 1), A(2.5, D, 2), A(4, D, 3), O(8, D, 1), O(8, D, 2), O(8, D, 3)],
        until=10,
    )


def test_snooze_over_count_levels_resumes_when_it_passes():
    count_levels()
    # Snoozed until 6.5: the minute sweep at 7 resumes (the error at 7 is
    # processed first and finds the snooze over too), levels 2 and 3 fire then.
    assert_timeline(
        [error(m) for m in range(0, 9)] + [ack(1.5, until=6.5), ok(9)],
        [A(0, D, 1), K(1.5, D, 1), A(7, D, 2), A(7, D, 3), O(9, D, 1), O(9, D, 2), O(9, D, 3)],
        until=12,
    )
    assert Incident.objects.get().acknowledged_at is None  # resumed: no longer acknowledged


def test_snooze_passing_without_submissions_resumes_from_the_sweep():
    count_levels()
    assert_timeline(
        [error(0), error(1), error(2), error(3), ack(0.5, until=10), ok(20)],
        [A(0, D, 1), K(0.5, D, 1), A(10, D, 2), O(20, D, 1), O(20, D, 2)],
        until=22,
    )


def test_duration_levels_wait_for_the_acknowledgement_and_fire_after_the_snooze():
    f.definition(
        D,
        [{"mode": "error_duration", "threshold": 5}, {"mode": "error_duration", "threshold": 10}],
        groups=[f.all_monitors()],
    )
    # Level 1 was due at minute 6, level 2 at 11; snoozed from 2 to 8.
    assert_timeline(
        [error(0), ack(2, until=8), ok(15)],
        [A(8, D, 1), A(11, D, 2), O(15, D, 1), O(15, D, 2)],
        until=20,
    )


def test_duration_level_never_fires_while_acknowledged_until_resolved():
    f.definition(D, [{"mode": "error_duration", "threshold": 5}], groups=[f.all_monitors()])
    assert_timeline([error(0), ack(1), ok(30)], [], until=40)


def test_duration_level_fires_at_once_on_unacknowledge():
    f.definition(D, [{"threshold": 1}, {"mode": "error_duration", "threshold": 5}], groups=[f.all_monitors()])
    assert_timeline(
        [error(0), ack(1), unack(12.5), ok(20)],
        [A(0, D, 1), K(1, D, 1), A(12.5, D, 2), O(20, D, 1), O(20, D, 2)],
        until=25,
    )


def test_no_reminders_while_acknowledged_and_they_restart_on_unacknowledge():
    f.definition(D, [{"threshold": 1, "reminders": 3, "delay": 10}], groups=[f.all_monitors()])
    assert_timeline(
        [error(0), ack(12), unack(35), ok(100)],
        # One reminder before; none at 20 or 30; the full three again from 35.
        [A(0, D), R(10, D), K(12, D), R(45, D), R(55, D), R(65, D), O(100, D)],
        until=110,
    )


def test_reminders_restart_when_the_snooze_passes():
    f.definition(D, [{"threshold": 1, "reminders": 2, "delay": 10}], groups=[f.all_monitors()])
    assert_timeline(
        [error(0), ack(5, until=25), ok(60)],
        [A(0, D), K(5, D), R(35, D), R(45, D), O(60, D)],
        until=70,
    )


def test_acknowledging_again_replaces_the_snooze():
    f.definition(D, [{"threshold": 1}, {"threshold": 3}], groups=[f.all_monitors()])
    assert_timeline(
        [error(m) for m in range(0, 20)] + [ack(1, until=5), ack(4, until=15, by="Lee"), ok(20)],
        # Acknowledging again (still acknowledged) passes nothing on.
        [A(0, D, 1), K(1, D, 1), A(15, D, 2), O(20, D, 1), O(20, D, 2)],
        until=22,
    )


def test_the_other_monitor_keeps_escalating():
    count_levels()
    f.monitor("web")
    f.monitor("db")
    assert_timeline(
        [error(m) for m in range(0, 4)] + [error(m, monitor="db") for m in range(0, 4)] + [ack(0.5)],
        [A(0, D, 1), K(0.5, D, 1), A(0, D, 1, "db"), A(2, D, 2, "db")],
        until=5,
    )


def test_an_acknowledged_incident_is_not_due_until_its_snooze_passes():
    f.definition(D, [{"mode": "error_duration", "threshold": 5}], groups=[f.all_monitors()])
    assert_timeline([error(0), ack(1, until=30)], [], until=20)
    incident = Incident.objects.get()
    assert incident.status_at(at(20)) == "acknowledged"
    assert list(due_incidents(at(20))) == []
    assert list(due_incidents(at(30))) == [incident]
    assert incident.status_at(at(30)) == "open"


def test_acknowledge_records_who_note_and_snooze_and_pauses_reminders():
    f.definition(D, [{"threshold": 1, "reminders": 2, "delay": 10}], groups=[f.all_monitors()])
    assert_timeline([error(0)], [A(0, D)], until=1)
    key = Incident.objects.get().key
    incident, raised = acknowledge(key, by="Dana", note="on it", until=at(30), now=at(2))
    assert (incident.acknowledged_at, incident.acknowledged_by, incident.acknowledgement_note) == (
        at(2),
        "Dana",
        "on it",
    )
    assert incident.acknowledged_until == at(30)
    assert [(a.alert_type, a.level_number) for a in raised.alerts] == [("Acknowledged", 1)]
    assert raised.alerts[0].variables["@incident.acknowledgedBy"] == "Dana"
    assert raised.alerts[0].variables["@incident.acknowledgementNote"] == "on it"
    assert EscalationState.objects.get().next_reminder_at is None
    # Again: who, note and snooze are replaced, the time of the first kept.
    incident, again = acknowledge(key, by="Lee", now=at(3))
    assert again.alerts == []
    assert (incident.acknowledged_at, incident.acknowledged_by, incident.acknowledged_until) == (
        at(2),
        "Lee",
        None,
    )


def test_unacknowledge_of_an_open_incident_changes_nothing():
    f.definition(D, [{"threshold": 1, "reminders": 2, "delay": 10}], groups=[f.all_monitors()])
    assert_timeline([error(0)], [A(0, D)], until=1)
    _, raised = unacknowledge(Incident.objects.get().key, now=at(2))
    assert raised.alerts == []
    assert EscalationState.objects.get().next_reminder_at == at(10)


def test_a_resolved_incident_cannot_be_acknowledged():
    f.definition(D, [{"threshold": 1}], groups=[f.all_monitors()])
    assert_timeline([error(0), ok(1)], [A(0, D), O(1, D)], until=2)
    key = Incident.objects.get().key
    with pytest.raises(IncidentResolved):
        acknowledge(key, now=at(3))
    with pytest.raises(IncidentResolved):
        unacknowledge(key, now=at(3))
    with pytest.raises(Incident.DoesNotExist):
        acknowledge("no-such-key", now=at(3))
