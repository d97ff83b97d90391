"""The worker process's sending threads: kept between lanes with their
database connection, bounded, and gone (connection closed) when idle."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from django.db import connections
from django.db.backends.signals import connection_created
from pytest_httpserver import HTTPServer

from integrations.delivery import worker
from integrations.delivery.threads import SendingThreads
from integrations.models import MessageStatus
from tests.delivery import factories


def test_a_job_returns_its_result_or_raises_its_error() -> None:
    threads = SendingThreads(2)
    try:
        assert threads.submit(lambda a, b: a + b, 2, 3).result(5) == 5
        failing = threads.submit(lambda: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            failing.result(5)
    finally:
        threads.stop()


def test_threads_are_reused_and_bounded() -> None:
    threads = SendingThreads(3)
    seen: set[int] = set()
    running = 0
    most = 0
    lock = threading.Lock()

    def job() -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            seen.add(threading.get_ident())
        time.sleep(0.05)
        with lock:
            running -= 1

    try:
        for _round in range(3):
            for future in [threads.submit(job) for _ in range(10)]:
                future.result(5)
        assert most == 3
        assert len(seen) == 3  # three rounds of ten jobs, on the same three threads
        assert threads.alive() == 3
    finally:
        threads.stop()
    assert threads.alive() == 0


def test_an_idle_thread_ends_and_a_later_job_starts_a_new_one() -> None:
    threads = SendingThreads(2, idle_seconds=0.2)
    first = threads.submit(threading.current_thread).result(5)
    deadline = time.monotonic() + 5
    while threads.alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threads.alive() == 0
    assert threads.submit(threading.current_thread).result(5) is not first
    assert not first.is_alive()
    threads.stop()


@pytest.fixture
def new_connections() -> Iterator[list[str]]:
    """The thread name of every database connection opened meanwhile."""
    opened: list[str] = []

    def record(**_kwargs: object) -> None:
        opened.append(threading.current_thread().name)

    connection_created.connect(record, weak=False)
    yield opened
    connection_created.disconnect(record)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("max_age", [0, 60])
def test_a_lane_keeps_its_connection_for_the_next_only_while_conn_max_age_allows(
    httpserver: HTTPServer, settings, monkeypatch, new_connections, max_age
) -> None:  # type: ignore[no-untyped-def]
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    settings.DELIVERY_LINGER_SECONDS = 0
    # One dict: every thread's connection is made from it.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", max_age)
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    integration = factories.webhook(factories.local(httpserver, "/hook"))
    for _trickle in range(3):  # an outage trickling in: one message per task
        [message] = factories.messages(integration)
        assert worker.deliver([message.id]) == 1
        message.refresh_from_db()
        assert message.status == MessageStatus.DELIVERED
    lanes = [name for name in new_connections if name == "delivery"]
    assert len(lanes) == (3 if max_age == 0 else 1)
