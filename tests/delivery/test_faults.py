"""Fault tests 1-4 of the delivery issue: real worker processes (manage.py
qcluster) against a real local receiver, on this run's database and broker.

The receiver outage is real and lasts DELIVERY_FAULT_DOWN_SECONDS (120 by
default, as the issue asks); the retry schedule is shortened for the worker
so that the messages come through soon after the receiver does.
"""

from __future__ import annotations

import math
import os
import socket
import time
from collections import Counter
from pathlib import Path

import pytest
from django.utils import timezone

from integrations.delivery.queue import enqueue_messages
from integrations.models import OUTCOME_UNKNOWN, Message, MessageAttempt, MessageStatus
from tests.delivery import factories
from tests.delivery.cluster import Cluster, base_env, wait_for
from tests.delivery.receiver import Answer, Received, Receiver

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

DOWN_SECONDS = float(os.environ.get("DELIVERY_FAULT_DOWN_SECONDS", "120"))
# The breaker test: an outage this long with a base cool-down of this many
# seconds (the pauses double up to four times that).
BREAKER_DOWN_SECONDS = float(os.environ.get("DELIVERY_FAULT_BREAKER_DOWN_SECONDS", "25"))
BREAKER_COOLDOWN = int(os.environ.get("DELIVERY_FAULT_BREAKER_COOLDOWN", "4"))
BREAKER_MESSAGES = 200
KILL_MESSAGES = 40


@pytest.fixture
def clusters(tmp_path: Path):  # type: ignore[no-untyped-def]
    started: list[Cluster] = []

    def start(**env: str) -> Cluster:
        cluster = Cluster(base_env(**env), tmp_path / f"qcluster-{len(started)}.log").start()
        started.append(cluster)
        return cluster

    yield start
    for cluster in started:
        cluster.stop()


@pytest.fixture
def receiver():  # type: ignore[no-untyped-def]
    r = Receiver().start()
    yield r
    r.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def statuses(ids: list[int]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in Message.objects.filter(id__in=ids).values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def test_receiver_down_then_up_every_message_arrives(clusters) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    receiver = Receiver(port)
    integration = factories.webhook(receiver.url())
    ids = [m.id for m in factories.messages(integration, 20)]
    # Retries every few seconds cover the outage with room to spare.
    retries = math.ceil(DOWN_SECONDS / 5) + 10
    cluster = clusters(
        DELIVERY_RETRY_SCHEDULE=",".join(["5"] * retries),
        DELIVERY_BREAKER_COOLDOWN="5",
        DELIVERY_BREAKER_MAX_COOLDOWN="10",
    )
    enqueue_messages(ids)
    down_until = time.monotonic() + DOWN_SECONDS
    # While the receiver is down, attempts fail and are logged; nothing is lost.
    assert wait_for(lambda: MessageAttempt.objects.filter(message_id__in=ids).count() >= 20, 30), (
        cluster.log()
    )
    time.sleep(max(0.0, down_until - time.monotonic()))
    assert statuses(ids) == {"pending": 20} or set(statuses(ids)) <= {"pending", "sending"}
    receiver.start()
    try:
        assert wait_for(lambda: statuses(ids).get("delivered") == 20, 60), (statuses(ids), cluster.log())
    finally:
        receiver.stop()
    assert sorted(set(receiver.keys())) == sorted(str(i) for i in ids)
    for message_id in ids:
        attempts = list(MessageAttempt.objects.filter(message_id=message_id).order_by("number"))
        assert len(attempts) >= 2
        assert all("Connection failed" in a.error for a in attempts[:-1])
        assert attempts[-1].outcome == "delivered" and attempts[-1].response_status == 200


def test_kill_9_mid_delivery_taken_over_within_30_s(clusters) -> None:  # type: ignore[no-untyped-def]
    """Every worker process killed mid-delivery, a new one started: the
    messages the dead worker held go out again within 30 s of the kill, and
    every request that reached the receiver has its attempt in the log (the
    ones the crash cut off as "unknown")."""

    def slow(item: Received) -> Answer:
        time.sleep(0.4)  # the worker is mid-request when it is killed
        return 200, {}, b"ok"

    receiver = Receiver().start()
    receiver.respond = slow
    try:
        integration = factories.webhook(receiver.url())
        ids = [m.id for m in factories.messages(integration, KILL_MESSAGES)]
        env = {"Q_TIMEOUT": "60", "DELIVERY_THREADS": "4", "DELIVERY_LEASE_SECONDS": "20"}
        cluster = clusters(**env)
        enqueue_messages(ids)
        assert wait_for(lambda: len(receiver.received) >= 4, 30), cluster.log()
        cluster.kill9()
        killed_at = time.time()
        held = set(
            Message.objects.filter(id__in=ids, status=MessageStatus.SENDING).values_list("id", flat=True)
        )
        assert held  # the dead worker held messages
        replacement = clusters(**env)
        assert wait_for(lambda: statuses(ids).get("delivered") == len(ids), 90), (
            statuses(ids),
            replacement.log(),
        )
        # Let the receiver finish the requests still sleeping in its threads.
        time.sleep(1)
        took_over = [
            a.started_at.timestamp()
            for a in MessageAttempt.objects.filter(message_id__in=held).exclude(outcome=OUTCOME_UNKNOWN)
        ]
        # The held messages are claimed again in one go; sending them takes a while longer.
        takeover, last = min(took_over) - killed_at, max(took_over) - killed_at
        print(
            f"\n{len(held)} held message(s) taken over {takeover:.1f} s after kill -9"
            f" (last sent at {last:.1f} s)"
        )
        assert takeover <= 30, takeover
        received = Counter(receiver.keys())
        unknown = 0
        for message_id in ids:
            attempts = list(MessageAttempt.objects.filter(message_id=message_id).order_by("number"))
            seen = received[str(message_id)]
            assert [a.number for a in attempts] == list(range(1, len(attempts) + 1))
            assert attempts[-1].outcome == MessageStatus.DELIVERED
            cut_off = attempts[:-1]
            for a in cut_off:
                assert a.outcome == OUTCOME_UNKNOWN and "worker stopped" in a.error
            unknown += len(cut_off)
            # No attempt missing: every request the receiver saw has its row. The
            # attempt row is written before the request goes out, so a kill in
            # between leaves an "unknown" row the receiver never saw; only those
            # may outnumber the requests received.
            assert seen <= len(attempts) <= seen + len(cut_off), (message_id, attempts, seen)
            assert seen >= 1  # the delivered attempt reached the receiver
        assert unknown >= 1  # the requests the kill cut off are visible
    finally:
        receiver.stop()


def test_breaker_probe_recovers_within_cooldown_plus_30_s(clusters) -> None:  # type: ignore[no-untyped-def]
    """A receiver answers 503 while alerts keep coming; the breaker pauses for
    doubling times with one probe after each pause, and once the receiver is
    back everything (retries backed off for minutes included) is delivered
    within the pause in force plus 30 s."""
    state = {"up_at": time.time() + BREAKER_DOWN_SECONDS}

    def answer(item: Received) -> Answer:
        if item.at < state["up_at"]:
            return 503, {}, b"down"
        return 200, {}, b"ok"

    receiver = Receiver().start()
    receiver.respond = answer
    try:
        integration = factories.webhook(receiver.url())
        clusters(
            DELIVERY_RETRY_SCHEDULE="30,120,480,1800",
            DELIVERY_BREAKER_THRESHOLD="5",
            DELIVERY_BREAKER_COOLDOWN=str(BREAKER_COOLDOWN),
            DELIVERY_BREAKER_MAX_COOLDOWN=str(BREAKER_COOLDOWN * 4),
        )
        ids: list[int] = []
        waves = 5
        for _wave in range(waves):  # alerts keep being raised during the outage
            batch = [m.id for m in factories.messages(integration, BREAKER_MESSAGES // waves)]
            enqueue_messages(batch)
            ids += batch
            time.sleep(BREAKER_DOWN_SECONDS / waves)
        up_at = state["up_at"]
        assert wait_for(lambda: statuses(ids).get("delivered") == len(ids), BREAKER_COOLDOWN * 4 + 90), (
            statuses(ids)
        )
    finally:
        receiver.stop()
    during = [r for r in receiver.received if r.at < up_at]
    recovery = max(r.at for r in receiver.received) - up_at
    bound = BREAKER_COOLDOWN * 4 + 30
    print(
        f"\nbreaker: {len(during)} requests during the {BREAKER_DOWN_SECONDS:.0f} s outage, all {len(ids)} "
        f"delivered {recovery:.1f} s after recovery (bound {bound} s)"
    )
    # The pauses held: a few failures open it, then one probe per pause.
    assert len(during) <= 2 * 4 * 5 + 10, len(during)
    assert recovery <= bound, recovery
    assert sorted(set(receiver.keys())) == sorted(str(i) for i in ids)


def test_500_three_times_then_200(clusters, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    answers = [500, 500, 500, 200]

    def answer(item: Received) -> Answer:
        return answers.pop(0) if answers else 200, {}, b"status"

    receiver.respond = answer
    integration = factories.webhook(receiver.url())
    [message] = factories.messages(integration)
    cluster = clusters(DELIVERY_RETRY_SCHEDULE="1,1,1,1,1")
    enqueue_messages([message.id])
    assert wait_for(lambda: Message.objects.get(pk=message.pk).status == MessageStatus.DELIVERED, 60), (
        cluster.log()
    )
    attempts = list(MessageAttempt.objects.filter(message=message).values_list("number", "response_status"))
    assert attempts == [(1, 500), (2, 500), (3, 500), (4, 200)]
    assert len(receiver.received) == 4


def test_429_retry_after_is_honoured(clusters, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    def answer(item: Received) -> Answer:
        if len(receiver.received) == 0:
            return 429, {"Retry-After": "5"}, b"slow down"
        return 200, {}, b"ok"

    receiver.respond = answer
    integration = factories.webhook(receiver.url())
    [message] = factories.messages(integration)
    cluster = clusters(DELIVERY_RETRY_SCHEDULE="1,1,1")
    enqueue_messages([message.id])
    assert wait_for(lambda: Message.objects.get(pk=message.pk).status == MessageStatus.DELIVERED, 60), (
        cluster.log()
    )
    first, second = receiver.received[:2]
    assert second.at - first.at >= 5.0
    attempts = list(MessageAttempt.objects.filter(message=message).order_by("number"))
    assert attempts[0].response_status == 429
    assert (attempts[1].started_at - attempts[0].started_at).total_seconds() >= 5.0
    assert timezone.now() >= attempts[1].started_at
