"""The per-key rate limit's counting (alerting.api.ratelimit): one atomic
statement per increment (Redis or the database), and far below the limit
blocks of requests reserved in the shared count before they are let through,
so that a key is never let through beyond its limit."""

from __future__ import annotations

import socket
import uuid

import pytest
import redis

from alerting.api import ratelimit
from alerting.models import ApiKey, RateCounter

NOW = 1_800_000_000.0  # the start of a window: 1,800,000,000 is a multiple of 60
WINDOW = int(NOW // ratelimit.WINDOW_SECONDS)


def shared_count(key: ApiKey, now: float = NOW) -> int:
    window = int(now // ratelimit.WINDOW_SECONDS)
    return ratelimit.add(f"{key.pk}:{key.prefix}:{window}", 0, window)


def key_with_limit(limit: int) -> ApiKey:
    key, _ = ApiKey.generate(f"limit {limit}", "ingest")
    key.rate_limit_per_minute = limit
    key.save()
    return key


def test_redis_counter_adds_and_expires_with_the_window(redis_url):
    name = f"test-{uuid.uuid4().hex}"
    assert [ratelimit._add_redis(f"{name}:1", 1, redis_url) for _ in range(3)] == [1, 2, 3]
    assert ratelimit._add_redis(f"{name}:1", 5, redis_url) == 8
    assert ratelimit._add_redis(f"{name}:2", 4, redis_url) == 4  # another window or key counts apart
    server = redis.Redis.from_url(redis_url)
    stored = f"alertsite:ratelimit:{name}:1"
    assert 0 < server.ttl(stored) <= ratelimit.WINDOW_SECONDS + 5
    # A counter that expired (here: removed) starts again, with its expiry.
    server.delete(stored)
    assert ratelimit._add_redis(f"{name}:1", 2, redis_url) == 2
    assert 0 < server.ttl(stored) <= ratelimit.WINDOW_SECONDS + 5


def test_redis_script_is_loaded_again_when_the_server_lost_it(redis_url):
    name = f"test-{uuid.uuid4().hex}"
    assert ratelimit._add_redis(name, 1, redis_url) == 1
    redis.Redis.from_url(redis_url).script_flush()  # as a Redis restart would
    assert ratelimit._add_redis(name, 1, redis_url) == 2


@pytest.mark.django_db
def test_database_counter_adds_and_finished_windows_are_removed(settings):
    settings.REDIS_URL = ""
    ratelimit._cleared_before = 0
    assert [ratelimit.add("k:1", 1, WINDOW - 2) for _ in range(2)] == [1, 2]
    assert ratelimit.add("k:2", 1, WINDOW - 1) == 1
    assert ratelimit.add("k:3", 3, WINDOW) == 3  # the first increment of a new window clears older ones
    assert ratelimit.add("k:3", 4, WINDOW) == 7
    assert dict(RateCounter.objects.values_list("key", "count")) == {"k:3": 7}


@pytest.mark.django_db
def test_far_below_the_limit_blocks_are_reserved_before_they_are_used():
    key = key_with_limit(100_000)  # blocks of 50 while under 50,000
    assert ratelimit.hit(key, NOW) == (True, 60.0)
    assert shared_count(key) == 50  # the whole block is counted at once
    assert all(ratelimit.hit(key, NOW + i / 1000)[0] for i in range(1, 50))
    assert shared_count(key) == 50  # ... and used without another increment
    assert ratelimit.hit(key, NOW + 0.05)[0]
    assert shared_count(key) == 100  # the 51st request reserves the next block


@pytest.mark.django_db
def test_from_half_the_limit_every_request_is_counted_and_the_limit_is_exact():
    key = key_with_limit(400)  # blocks of 4 while under 200
    answers = [ratelimit.hit(key, NOW + i / 10_000)[0] for i in range(450)]
    assert answers == [True] * 400 + [False] * 50
    assert shared_count(key) == 450  # refused requests count too


@pytest.mark.django_db
def test_another_process_counts_leave_no_room_beyond_the_limit():
    key = key_with_limit(1000)  # blocks of 10 while under 500
    assert ratelimit.hit(key, NOW)[0]  # reserves 10, uses 1
    # Other processes use up the rest of the window meanwhile.
    ratelimit.add(f"{key.pk}:{key.prefix}:{WINDOW}", 990, WINDOW)
    assert all(ratelimit.hit(key, NOW + i / 1000)[0] for i in range(1, 10))  # this process's reserved 9
    # The next asks for a block (this process had seen a count of 10): none of it is granted.
    assert not ratelimit.hit(key, NOW + 0.011)[0]
    assert shared_count(key) == 1010
    assert not ratelimit.hit(key, NOW + 0.012)[0]  # from now on one at a time
    assert shared_count(key) == 1011


@pytest.mark.django_db
def test_a_block_crossing_the_limit_grants_only_what_is_left():
    key = key_with_limit(1000)
    # Others' requests, which this process has not seen.
    ratelimit.add(f"{key.pk}:{key.prefix}:{WINDOW}", 996, WINDOW)
    answers = [ratelimit.hit(key, NOW + i / 1000)[0] for i in range(6)]
    assert answers == [True] * 4 + [False] * 2  # a block of 10 was asked for; 4 were left


@pytest.mark.django_db
def test_a_small_limit_is_counted_exactly():
    key = key_with_limit(199)
    answers = [ratelimit.hit(key, NOW + i / 10_000)[0] for i in range(5)]
    assert answers == [True] * 5
    assert shared_count(key) == 5  # each added at once


@pytest.mark.django_db
def test_a_new_window_starts_a_new_count():
    key = key_with_limit(2)
    assert [ratelimit.hit(key, NOW)[0] for _ in range(3)] == [True, True, False]
    assert ratelimit.hit(key, NOW + 60) == (True, 60.0)


@pytest.mark.django_db
def test_an_unreachable_counter_lets_requests_through_and_logs_once(settings, caplog):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"  # nothing listens there: connection refused
    key = key_with_limit(2)
    ratelimit.outage.retry_seconds = 0  # try the counter on every request
    try:
        with caplog.at_level("WARNING", logger="alerting.api.ratelimit"):
            answers = [ratelimit.hit(key, NOW + i)[0] for i in range(5)]
        assert answers == [True] * 5  # fails open
        assert len(caplog.records) == 1  # once per outage, not per request
        assert "API rate-limit counter unreachable" in caplog.records[0].getMessage()
        assert ratelimit.outage.down
        settings.REDIS_URL = ""  # back (the database counter)
        assert [ratelimit.hit(key, NOW + 10 + i)[0] for i in range(3)] == [True, True, False]
        assert not ratelimit.outage.down
        assert "reachable again" in caplog.records[-1].getMessage()
    finally:
        ratelimit.outage.retry_seconds = 1.0
        ratelimit.outage.succeeded()
