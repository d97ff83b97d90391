"""The sweep looks only where something is due, found in SQL."""

from __future__ import annotations

import pytest

from alerting.engine import Submission, process_batch
from alerting.engine.due import due_incidents
from alerting.engine.sweep import sweep
from alerting.models import Alert, EscalationLevel, Incident, MonitorGroup
from tests.engine import factories as f
from tests.engine.timeline import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quiet_default():
    f.silence_default_definition()


def errors(keys: list[str], minute: float) -> None:
    process_batch([Submission(k, "error", at(minute), "down") for k in keys], now=at(minute))


def test_many_open_incidents_with_nothing_due_cost_the_sweep_a_few_queries(django_assert_max_num_queries):
    f.definition("Ops", [{"threshold": 1}], groups=[f.all_monitors()])
    errors([f"m{i}" for i in range(60)], 0)
    assert Incident.objects.filter(resolved_at__isnull=True).count() == 60
    with django_assert_max_num_queries(3):
        raised = sweep(now=at(30))
    assert raised.alerts == []


def test_duration_level_through_a_group_is_due_only_for_its_members():
    group = MonitorGroup.objects.create(name="web")
    member = f.monitor("member")
    f.monitor("outsider")
    group.monitors.add(member)
    f.definition("Slow", [{"mode": "error_duration", "threshold": 5}], groups=[group])
    errors(["member", "outsider"], 0)
    assert list(due_incidents(at(5))) == []  # not more than 5 minutes yet
    assert [i.monitor.key for i in due_incidents(at(6))] == ["member"]
    sweep(now=at(6))
    assert [(a.incident.monitor.key, a.alert_type) for a in Alert.objects.all()] == [("member", "Alert")]
    assert list(due_incidents(at(7))) == []  # fired: nothing due any more


def test_count_level_switched_on_during_an_incident_fires_at_the_next_sweep():
    definition = f.definition(
        "Ops", [{"threshold": 1}, {"threshold": 2, "active": False}], monitors=[f.monitor("web")]
    )
    errors(["web"], 0)
    errors(["web"], 1)
    assert Alert.objects.count() == 1
    EscalationLevel.objects.filter(definition=definition, number=2).update(is_active=True)
    sweep(now=at(2))
    assert sorted(Alert.objects.values_list("level_number", flat=True)) == [1, 2]


def test_due_reminders_are_found_and_sent_once():
    f.definition("Ops", [{"threshold": 1, "reminders": 1, "delay": 10}], groups=[f.all_monitors()])
    errors(["web"], 0)
    assert list(due_incidents(at(9))) == []
    assert len(due_incidents(at(10))) == 1
    sweep(now=at(10))
    assert list(due_incidents(at(11))) == []
    assert sorted(Alert.objects.values_list("alert_type", flat=True)) == ["Alert", "Reminder"]
