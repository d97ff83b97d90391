"""Which outbox rows an alert creates, and what they carry."""

from __future__ import annotations

import pytest
from django_q.brokers import get_broker
from django_q.signing import SignedPackage

from integrations.models import LevelIntegration, Message
from tests.engine import factories as f
from tests.engine.timeline import A, O, R, assert_timeline, at, error, ok

pytestmark = pytest.mark.django_db
D = "Ops"


@pytest.fixture(autouse=True)
def quiet_default():
    f.silence_default_definition()


def messages(alert_type: str) -> list[Message]:
    return list(
        Message.objects.filter(alert__alert_type=alert_type)
        .select_related("integration")
        .order_by("integration__name", "recipient")
    )


def test_send_ok_and_send_reminders_flags_are_honoured():
    wants_all = f.integration("All")
    no_ok = f.integration("No ok")
    no_reminders = f.integration("No reminders")
    d = f.definition(
        D,
        [{"threshold": 1, "reminders": 1, "delay": 5, "integrations": [wants_all, no_ok, no_reminders]}],
        groups=[f.all_monitors()],
    )
    LevelIntegration.objects.filter(level__definition=d, integration=no_ok).update(send_ok_alerts=False)
    LevelIntegration.objects.filter(level__definition=d, integration=no_reminders).update(
        send_reminders=False
    )
    assert_timeline([error(0), ok(8)], [A(0, D), R(5, D), O(8, D)], until=9)
    assert [m.integration.name for m in messages("Alert")] == ["All", "No ok", "No reminders"]
    assert [m.integration.name for m in messages("Reminder")] == ["All", "No ok"]
    assert [m.integration.name for m in messages("Ok")] == ["All", "No reminders"]


def test_phone_never_gets_ok():
    caller = f.operator("Ann", mobile_phone="+31612345678")
    f.definition(
        D,
        [{"threshold": 1, "operators": [caller], "integrations": [f.builtin("phone")]}],
        groups=[f.all_monitors()],
    )
    assert_timeline([error(0), ok(1)], [A(0, D), O(1, D)], until=2)
    assert [m.recipient for m in messages("Alert")] == ["+31612345678"]
    assert messages("Ok") == []


def test_custom_integration_follows_its_steps_message_types():
    alert_only = f.webhook("Alert only", ok=False, reminder=False)
    everything = f.webhook("Everything")
    d = f.definition(
        D,
        [{"threshold": 1, "reminders": 1, "delay": 5, "integrations": [alert_only, everything]}],
        groups=[f.all_monitors()],
    )
    # The level's boxes do not apply to custom integrations.
    LevelIntegration.objects.filter(level__definition=d).update(send_ok_alerts=False, send_reminders=False)
    assert_timeline([error(0), ok(8)], [A(0, D), R(5, D), O(8, D)], until=9)
    assert [m.integration.name for m in messages("Alert")] == ["Alert only", "Everything"]
    assert [m.integration.name for m in messages("Reminder")] == ["Everything"]
    assert [m.integration.name for m in messages("Ok")] == ["Everything"]


def test_operator_recipients_are_deduplicated_and_extra_emails_added():
    ann = f.operator("Ann")
    bob = f.operator("Bob")
    team = f.everyone().__class__.objects.create(name="Team")
    team.members.add(ann, bob)
    email = f.builtin("email")
    d = f.definition(
        D,
        [{"threshold": 1, "operators": [ann], "operator_groups": [team], "integrations": [email]}],
        groups=[f.all_monitors()],
    )
    LevelIntegration.objects.filter(level__definition=d).update(
        extra_email_addresses=["oncall@example.com", "ANN@example.com", "oncall@example.com"]
    )
    assert_timeline([error(0)], [A(0, D)], until=0)
    assert [m.recipient for m in messages("Alert")] == [
        "ann@example.com",
        "bob@example.com",
        "oncall@example.com",
    ]
    assert [m.operator for m in messages("Alert")] == [ann, bob, None]


def test_message_fields_level_variables_and_ok_ordering():
    ann = f.operator("Ann")
    bob = f.operator("Bob")
    email, chat = f.builtin("email"), f.integration("Chat")
    d = f.definition(
        D,
        [{"threshold": 1, "operators": [ann, bob], "integrations": [email, chat]}],
        groups=[f.all_monitors()],
    )
    LevelIntegration.objects.filter(level__definition=d, integration=chat).update(
        variable_values={"Channel": "#ops"}
    )
    assert_timeline([error(0), ok(3)], [A(0, D), O(3, D)], until=3)
    alert_msgs = {(m.integration.name, m.recipient): m for m in messages("Alert")}
    assert set(alert_msgs) == {("Chat", ""), ("E-mail", "ann@example.com"), ("E-mail", "bob@example.com")}
    for message in alert_msgs.values():
        assert message.next_attempt_at == at(0)
        assert message.status == "pending"
        assert message.depends_on is None
        assert message.level_link.level.number == 1
    assert alert_msgs[("Chat", "")].level_variables == {"Channel": "#ops"}
    for message in messages("Ok"):
        assert message.next_attempt_at == at(3)
        assert message.depends_on == alert_msgs[(message.integration.name, message.recipient)]


def test_the_engine_queues_nothing_and_hands_back_the_message_ids(django_capture_on_commit_callbacks):
    """The engine decides and records; queueing is its caller's (integrations.tasks)."""
    from alerting.engine import Submission, process_submission

    f.definition(D, [{"threshold": 1}], groups=[f.all_monitors()])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outcome = process_submission(Submission("web", "error", at(0), "down"), now=at(0))
    assert callbacks == []
    assert sorted(outcome.message_ids) == sorted(Message.objects.values_list("pk", flat=True)) != []


def test_handed_over_ids_are_queued_after_commit(django_capture_on_commit_callbacks):
    from integrations.tasks import deliver_after_commit

    broker = get_broker()
    broker.purge_queue()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        deliver_after_commit([7, 8])
        deliver_after_commit([])  # nothing to queue: no callback
    assert broker.queue_size() == 0 and len(callbacks) == 1
    callbacks[0]()
    queued = broker.dequeue()
    assert len(queued) == 1
    task = SignedPackage.loads(queued[0][1])
    assert task["func"] == "integrations.tasks.deliver"
    assert task["args"] == ([7, 8],)
    broker.acknowledge(queued[0][0])
    broker.purge_queue()
