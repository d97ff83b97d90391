"""The delivery pipeline in-process: claims, sending, recording, retries, order."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_httpserver import HTTPServer

from integrations.delivery import claims, policy, replay, worker
from integrations.models import Message, MessageAttempt, MessageStatus
from tests.delivery import factories
from tests.delivery.receiver import Answer, Received, Receiver

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def delivery_settings(settings):  # type: ignore[no-untyped-def]
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    settings.DELIVERY_RETRY_SCHEDULE = [1, 1, 1, 1, 1]
    settings.DELIVERY_LINGER_SECONDS = 3
    settings.DELIVERY_BREAKER_THRESHOLD = 50
    return settings


def test_backoff_follows_the_schedule_with_jitter(settings) -> None:
    settings.DELIVERY_RETRY_SCHEDULE = [30, 120, 480]
    for attempt, base in enumerate([30, 120, 480], start=1):
        delays = [policy.backoff_seconds(attempt) for _ in range(200)]
        assert all(base * 0.8 <= d <= base * 1.2 for d in delays)
        assert len({round(d, 3) for d in delays}) > 1  # jittered, not fixed
    assert policy.backoff_seconds(4) is None
    assert policy.max_attempts() == 4


def test_retry_after_is_a_floor(settings) -> None:
    settings.DELIVERY_RETRY_SCHEDULE = [1, 1]
    assert all(policy.backoff_seconds(1, retry_after=5) >= 5 for _ in range(100))
    # A Retry-After shorter than the schedule does not shorten it.
    settings.DELIVERY_RETRY_SCHEDULE = [60, 60]
    assert all(policy.backoff_seconds(1, retry_after=5) >= 48 for _ in range(100))


def test_delivered_with_idempotency_key_and_logged(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_json(
        {"ok": True}, headers={"X-Receiver": "yes"}
    )
    integration = factories.webhook(factories.local(httpserver, "/hook"))
    [message] = factories.messages(integration)
    assert worker.deliver([message.id]) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert message.delivered_at is not None
    assert message.lease_owner == "" and message.lease_expires_at is None
    request, _ = httpserver.log[0]
    assert request.headers["Idempotency-Key"] == str(message.id)
    [attempt] = MessageAttempt.objects.filter(message=message)
    assert attempt.number == 1
    assert attempt.response_status == 200
    assert attempt.outcome == MessageStatus.DELIVERED
    assert attempt.response_status == 200
    assert attempt.response_headers["X-Receiver"] == "yes"
    assert '"ok": true' in attempt.response_body.replace('"ok":true', '"ok": true')
    assert attempt.request["method"] == "POST"
    assert attempt.duration_ms is not None


def test_500_three_times_then_200_is_four_attempts(httpserver: HTTPServer) -> None:
    for _ in range(3):
        httpserver.expect_ordered_request("/hook").respond_with_data("busy", status=500)
    httpserver.expect_ordered_request("/hook").respond_with_data("ok")
    integration = factories.webhook(factories.local(httpserver, "/hook"))
    [message] = factories.messages(integration)
    worker.deliver([message.id])  # lingers through the 1 s retries
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert message.attempt_count == 4
    outcomes = list(MessageAttempt.objects.filter(message=message).values_list("response_status", "outcome"))
    assert outcomes == [(500, "pending"), (500, "pending"), (500, "pending"), (200, "delivered")]
    starts = list(MessageAttempt.objects.filter(message=message).values_list("started_at", flat=True))
    assert all((b - a).total_seconds() >= 0.8 for a, b in itertools.pairwise(starts))


def test_permanent_failure_stops_at_once(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook").respond_with_data("bad token", status=401)
    integration = factories.webhook(factories.local(httpserver, "/hook"))
    [message] = factories.messages(integration)
    worker.deliver([message.id])
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempt_count == 1
    assert "401" in message.error
    assert len(httpserver.log) == 1


def test_gives_up_after_the_last_attempt(httpserver: HTTPServer, settings) -> None:
    settings.DELIVERY_RETRY_SCHEDULE = [0, 0]
    httpserver.expect_request("/hook").respond_with_data("down", status=503)
    integration = factories.webhook(factories.local(httpserver, "/hook"))
    [message] = factories.messages(integration)
    worker.deliver([message.id])
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempt_count == 3
    assert message.error.startswith("Gave up after 3 attempts")


def test_retry_after_delays_the_next_attempt(httpserver: HTTPServer, settings) -> None:
    settings.DELIVERY_LINGER_SECONDS = 0
    httpserver.expect_request("/hook").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "5"}
    )
    integration = factories.webhook(factories.local(httpserver, "/hook"))
    [message] = factories.messages(integration)
    before = timezone.now()
    worker.deliver([message.id])
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING
    assert message.next_attempt_at >= before + timedelta(seconds=5)


def test_connection_refused_is_retried(settings) -> None:
    settings.DELIVERY_LINGER_SECONDS = 0
    integration = factories.webhook("http://127.0.0.1:9/hook")
    [message] = factories.messages(integration)
    worker.deliver([message.id])
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING
    assert message.attempt_count == 1
    assert "Connection failed" in message.error


def test_refused_address_is_a_permanent_failure(settings, httpserver: HTTPServer) -> None:
    settings.OUTBOUND_ALLOWLIST = []
    integration = factories.webhook(factories.local(httpserver, "/hook"))
    [message] = factories.messages(integration)
    worker.deliver([message.id])
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "OUTBOUND_ALLOWLIST" in message.error
    assert httpserver.log == []


def test_two_claimers_one_wins_each_message(httpserver: HTTPServer) -> None:
    integration = factories.webhook(factories.local(httpserver, "/hook"))
    ids = [m.id for m in factories.messages(integration, 300)]
    won: dict[str, list[int]] = {}
    barrier = threading.Barrier(2)

    def claimer(name: str) -> None:
        from django.db import connection

        owner = claims.new_owner()
        barrier.wait()
        taken: list[int] = []
        while batch := claims.claim(owner, limit=7, ids=ids):
            taken += batch
        won[name] = taken
        connection.close()

    threads = [threading.Thread(target=claimer, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not set(won["a"]) & set(won["b"])
    assert sorted(won["a"] + won["b"]) == sorted(ids)
    assert Message.objects.filter(status=MessageStatus.SENDING).count() == 300


def test_claim_skips_held_future_and_paused(httpserver: HTTPServer) -> None:
    integration = factories.webhook(factories.local(httpserver, "/hook"))
    paused = factories.webhook(
        factories.local(httpserver, "/other"), paused_until=timezone.now() + timedelta(minutes=5)
    )
    now = timezone.now()
    [free] = factories.messages(integration)
    [future] = factories.messages(integration, due=now + timedelta(minutes=1))
    [held] = factories.messages(
        integration,
        status=MessageStatus.SENDING,
        lease_owner="x",
        lease_expires_at=now + timedelta(minutes=1),
    )
    [stale] = factories.messages(
        integration,
        status=MessageStatus.SENDING,
        lease_owner="x",
        lease_expires_at=now - timedelta(seconds=1),
    )
    [waiting] = factories.messages(paused)
    [done] = factories.messages(integration, status=MessageStatus.DELIVERED)
    taken = claims.claim(claims.new_owner(), limit=100)
    assert sorted(taken) == sorted([free.id, stale.id])
    assert {future.id, held.id, waiting.id, done.id}.isdisjoint(taken)


def test_an_ok_waits_for_its_alert(httpserver: HTTPServer, settings) -> None:
    settings.DELIVERY_LINGER_SECONDS = 0
    httpserver.expect_request("/hook").respond_with_data("ok")
    integration = factories.webhook(factories.local(httpserver, "/hook"))
    the_alert = factories.alert("Alert")
    ok_alert = factories.alert("Ok", monitor=the_alert.incident.monitor)
    [first] = factories.messages(integration, for_alert=the_alert, due=timezone.now() + timedelta(minutes=1))
    [ok] = factories.messages(integration, for_alert=ok_alert, depends_on=first)
    worker.deliver([ok.id])
    ok.refresh_from_db()
    assert ok.status == MessageStatus.PENDING and ok.attempt_count == 0
    assert httpserver.log == []
    # Once the Alert has definitely failed, the Ok may go.
    Message.objects.filter(pk=first.pk).update(status=MessageStatus.FAILED)
    worker.deliver([ok.id])
    ok.refresh_from_db()
    assert ok.status == MessageStatus.DELIVERED
    body = httpserver.log[0][0].get_json()
    assert body["type"] == "Ok"


def test_alert_then_ok_arrive_in_order(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook").respond_with_data("ok")
    integration = factories.webhook(factories.local(httpserver, "/hook"))
    the_alert = factories.alert("Alert")
    ok_alert = factories.alert("Ok", monitor=the_alert.incident.monitor)
    [first] = factories.messages(integration, for_alert=the_alert)
    [ok] = factories.messages(integration, for_alert=ok_alert, depends_on=first)
    worker.deliver([ok.id, first.id])
    assert [r.get_json()["type"] for r, _ in httpserver.log] == ["Alert", "Ok"]


def test_replay_of_a_failed_message(httpserver: HTTPServer, settings) -> None:
    settings.DELIVERY_RETRY_SCHEDULE = []
    httpserver.expect_ordered_request("/hook").respond_with_data("down", status=503)
    httpserver.expect_ordered_request("/hook").respond_with_data("ok")
    integration = factories.webhook(factories.local(httpserver, "/hook"))
    [message] = factories.messages(integration)
    worker.deliver([message.id])
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    replay.retry_message(message)
    assert message.status == MessageStatus.PENDING
    assert message.attempts_before_replay == 1
    worker.deliver([message.id])
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert list(MessageAttempt.objects.filter(message=message).values_list("number", flat=True)) == [1, 2]


def test_replay_refuses_a_message_being_sent(httpserver: HTTPServer) -> None:
    integration = factories.webhook(factories.local(httpserver, "/hook"))
    [message] = factories.messages(
        integration,
        status=MessageStatus.SENDING,
        lease_owner="w",
        lease_expires_at=timezone.now() + timedelta(minutes=1),
    )
    with pytest.raises(replay.NotReplayable):
        replay.retry_message(message)


def test_a_failing_receiver_does_not_hold_up_another(settings) -> None:
    settings.DELIVERY_LINGER_SECONDS = 0
    settings.DELIVERY_RETRY_SCHEDULE = [60]

    def answer(item: Received) -> Answer:
        if item.path == "/bad":
            time.sleep(0.5)
            return 502, {}, b"down"
        return 200, {}, b"ok"

    receiver = Receiver().start()
    receiver.respond = answer
    try:
        bad = factories.webhook(receiver.url("/bad"))
        good = factories.webhook(receiver.url("/good"))
        factories.messages(bad, 20)
        factories.messages(good, 40)
        began = time.time()
        worker.deliver()
        good_done = max(r.at for r in receiver.received if r.path == "/good") - began
    finally:
        receiver.stop()
    assert Message.objects.filter(integration=good, status=MessageStatus.DELIVERED).count() == 40
    assert Message.objects.filter(integration=bad, status=MessageStatus.DELIVERED).count() == 0
    # The good receiver's messages went out while the bad one was still timing out.
    assert good_done < 2.0
