"""Rate limits, the circuit breaker, expiry, retention, the sweep and health."""

from __future__ import annotations

import itertools
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import Schedule

from integrations.delivery import breaker, heartbeat, queue, ratelimit, sweep, worker
from integrations.delivery.policy import cooldown_seconds, rate_per_minute
from integrations.models import Integration, IntegrationKind, Message, MessageAttempt, MessageStatus
from tests.delivery import factories
from tests.delivery.receiver import Answer, Received, Receiver

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def delivery_settings(settings):  # type: ignore[no-untyped-def]
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    settings.DELIVERY_RETRY_SCHEDULE = [1, 1, 1]
    settings.DELIVERY_LINGER_SECONDS = 0
    return settings


@pytest.fixture
def receiver():  # type: ignore[no-untyped-def]
    r = Receiver().start()
    yield r
    r.stop()


def test_default_limits_follow_the_receivers_docs() -> None:
    def limit(kind: str, preset: str = "") -> int | None:
        return rate_per_minute(Integration(kind=kind, preset=preset))

    assert limit(IntegrationKind.SLACK) == 60
    assert limit(IntegrationKind.PAGERDUTY) == 120
    assert limit(IntegrationKind.SMS) == 60
    assert limit(IntegrationKind.STATUSHUB) == 300
    assert limit(IntegrationKind.WEBHOOK) is None
    assert limit(IntegrationKind.WEBHOOK, "telegram") == 60
    assert rate_per_minute(Integration(kind=IntegrationKind.SLACK, rate_limit_per_minute=6)) == 6


def test_reservations_never_overlap(receiver: Receiver) -> None:
    integration = factories.webhook(receiver.url())
    first, rest_at = ratelimit.reserve(integration.pk, 60, 3)
    second, _ = ratelimit.reserve(integration.pk, 60, 100)
    slots = first + second
    assert len(first) == 3
    # Within the horizon only; the rest are not reserved.
    assert len(second) <= 4
    assert all((b - a).total_seconds() == pytest.approx(1.0) for a, b in itertools.pairwise(slots))
    assert rest_at == first[-1] + timedelta(seconds=1)


def test_rate_limit_delays_and_never_drops(receiver: Receiver, settings) -> None:
    settings.DELIVERY_LINGER_SECONDS = 10
    integration = factories.webhook(receiver.url(), rate_limit_per_minute=240)  # 4/s
    factories.messages(integration, 30)
    began = time.time()
    worker.deliver()
    elapsed = time.time() - began
    assert Message.objects.filter(status=MessageStatus.DELIVERED).count() == 30
    times = sorted(r.at for r in receiver.received)
    assert len(times) == 30
    # 4/s means any five consecutive requests span at least a second; a single
    # gap may shrink when the receiver logs one arrival late, so judge windows.
    spans = [times[i + 4] - times[i] for i in range(len(times) - 4)]
    assert min(spans) >= 0.85
    assert elapsed >= 29 * 0.25 - 0.1
    # The excess waited in the outbox without an attempt being counted.
    assert set(Message.objects.values_list("attempt_count", flat=True)) == {1}


def test_breaker_pauses_and_resumes(receiver: Receiver, settings) -> None:
    settings.DELIVERY_BREAKER_THRESHOLD = 3
    settings.DELIVERY_BREAKER_COOLDOWN = 2
    settings.DELIVERY_RETRY_SCHEDULE = [60] * 5
    state = {"up": False}

    def answer(item: Received) -> Answer:
        if item.path == "/flaky" and not state["up"]:
            return 503, {}, b"down"
        return 200, {}, b"ok"

    receiver.respond = answer
    flaky = factories.webhook(receiver.url("/flaky"))
    other = factories.webhook(receiver.url("/other"))
    factories.messages(flaky, 40)
    factories.messages(other, 10)
    worker.deliver()
    flaky.refresh_from_db()
    assert flaky.paused_until is not None and flaky.paused_until > timezone.now()
    assert flaky.consecutive_failures >= 3
    # Only the first failures were attempted; the rest wait, none dropped or failed.
    # (each of the four lanes stops at the threshold)
    assert len([r for r in receiver.received if r.path == "/flaky"]) <= 4 * 3
    assert Message.objects.filter(integration=flaky, status=MessageStatus.PENDING).count() == 40
    assert Message.objects.filter(integration=other, status=MessageStatus.DELIVERED).count() == 10
    # While paused nothing is claimed for it, even when due.
    Message.objects.filter(integration=flaky).update(next_attempt_at=timezone.now())
    assert worker.deliver() == 0
    # The pause ends by itself; a success closes the breaker.
    state["up"] = True
    time.sleep((flaky.paused_until - timezone.now()).total_seconds() + 0.1)
    worker.deliver()
    flaky.refresh_from_db()
    assert flaky.paused_until is None and flaky.consecutive_failures == 0
    assert Message.objects.filter(integration=flaky, status=MessageStatus.DELIVERED).count() == 40


def test_cooldown_grows_and_is_capped(settings) -> None:
    settings.DELIVERY_BREAKER_THRESHOLD = 5
    settings.DELIVERY_BREAKER_COOLDOWN = 30
    settings.DELIVERY_BREAKER_MAX_COOLDOWN = 3600
    # Per run of failures (the breaker's trips), not per failed message.
    assert [cooldown_seconds(trips) for trips in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert cooldown_seconds(500) == 3600


def test_breaker_counts_across_workers(receiver: Receiver, settings) -> None:
    settings.DELIVERY_BREAKER_THRESHOLD = 4
    integration = factories.webhook(receiver.url())
    assert breaker.record_failures(integration.pk, 2) is None
    until = breaker.record_failures(integration.pk, 2)
    assert until is not None
    breaker.record_success(integration.pk)
    integration.refresh_from_db()
    assert integration.consecutive_failures == 0 and integration.paused_until is None


def test_expiry(receiver: Receiver, settings) -> None:
    settings.DELIVERY_MAX_AGE_SECONDS = 3600
    integration = factories.webhook(receiver.url())
    old, fresh = factories.messages(integration, 2, due=timezone.now() + timedelta(hours=1))
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=2))
    [held] = factories.messages(
        integration,
        status=MessageStatus.SENDING,
        lease_owner="w",
        lease_expires_at=timezone.now() + timedelta(minutes=1),
    )
    Message.objects.filter(pk=held.pk).update(created_at=timezone.now() - timedelta(hours=2))
    assert sweep.expire() == 1
    statuses = dict(Message.objects.values_list("id", "status"))
    assert statuses == {old.id: "expired", fresh.id: "pending", held.id: "sending"}
    assert receiver.received == []


def test_retention_removes_old_delivered_in_batches(receiver: Receiver, settings, monkeypatch) -> None:
    monkeypatch.setattr(sweep, "PURGE_BATCH", 7)
    settings.DELIVERY_RETENTION_DAYS = 30
    integration = factories.webhook(receiver.url())
    old = factories.messages(integration, 20, status=MessageStatus.DELIVERED)
    recent = factories.messages(integration, 3, status=MessageStatus.DELIVERED)
    old_failed = factories.messages(integration, 2, status=MessageStatus.FAILED)
    for m in old + recent:
        MessageAttempt.objects.create(message=m, number=1, started_at=timezone.now(), outcome="delivered")
    long_ago = timezone.now() - timedelta(days=31)
    Message.objects.filter(pk__in=[m.pk for m in old + old_failed]).update(created_at=long_ago)
    assert sweep.purge() == 20
    assert set(Message.objects.values_list("id", flat=True)) == {m.id for m in recent + old_failed}
    assert MessageAttempt.objects.count() == 3


def test_sweep_hands_out_unheld_due_messages(receiver: Receiver, monkeypatch) -> None:
    handed: list[list[int]] = []
    monkeypatch.setattr(sweep, "enqueue_messages", lambda ids: handed.append(list(ids)))
    integration = factories.webhook(receiver.url())
    due = factories.messages(integration, 3)
    [stale] = factories.messages(
        integration,
        status=MessageStatus.SENDING,
        lease_owner="dead",
        lease_expires_at=timezone.now() - timedelta(seconds=5),
    )
    factories.messages(integration, 2, due=timezone.now() + timedelta(minutes=5))
    report = sweep.sweep()
    assert report["handed_out"] == 4
    assert sorted(i for chunk in handed for i in chunk) == sorted([m.id for m in due] + [stale.id])


def test_each_schedule_exists_once_and_its_task_resolves() -> None:
    from pydoc import locate

    from integrations import tasks

    tasks.ensure_schedules()
    tasks.ensure_schedules()
    for scheduled in tasks.SCHEDULES:
        [schedule] = Schedule.objects.filter(name=scheduled.name)
        assert (schedule.func, schedule.schedule_type, schedule.minutes, schedule.repeats) == (
            scheduled.func,
            "I",
            1,
            -1,
        )
        # django-q2 finds the task with pydoc.locate; a name in the way hides it.
        assert callable(locate(scheduled.func))


def test_a_schedule_left_by_an_older_version_is_pointed_at_the_current_task() -> None:
    from integrations import tasks

    Schedule.objects.filter(name=tasks.ESCALATION_SWEEP.name).update(func="alerting.engine.sweep.run_sweep")
    tasks.ensure_schedules()
    assert Schedule.objects.get(name=tasks.ESCALATION_SWEEP.name).func == tasks.ESCALATION_SWEEP.func


def test_enqueue_survives_a_broker_failure(monkeypatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ConnectionError("broker down")

    monkeypatch.setattr(queue, "async_task", broken)
    queue.enqueue_messages([1, 2, 3])  # no exception: the sweep picks them up
    assert queue.outage.down
    queue.outage.succeeded()  # the broker is back for the tests that follow


def test_healthz_reports_delivery(client, receiver: Receiver) -> None:
    integration = factories.webhook(receiver.url())
    factories.messages(integration, 1, due=timezone.now() - timedelta(seconds=30))
    heartbeat.forget()
    body = client.get("/healthz").json()
    assert body["delivery"]["worker_seen"] is False
    assert body["delivery"]["oldest_due_message_seconds"] >= 30
    heartbeat._last_written = 0.0
    heartbeat.beat()
    body = client.get("/healthz").json()
    assert body["delivery"]["worker_seen"] is True
