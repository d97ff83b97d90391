"""The per-key rate limit's counting (alerting.api.ratelimit): one atomic Redis
round trip per increment, and far below the limit increments gathered in the
process before they are added to the shared count."""

from __future__ import annotations

import uuid

import pytest
import redis
from django.core.cache.backends.redis import RedisCache

from alerting.api import ratelimit
from alerting.models import ApiKey

NOW = 1_800_000_000.0  # the start of a window: 1,800,000,000 is a multiple of 60


def shared_count(key: ApiKey, now: float = NOW) -> int:
    return ratelimit.add(f"ratelimit:{key.pk}:{key.prefix}:{int(now // ratelimit.WINDOW_SECONDS)}", 0)


def key_with_limit(limit: int) -> ApiKey:
    key, _ = ApiKey.generate(f"limit {limit}", "ingest")
    key.rate_limit_per_minute = limit
    key.save()
    return key


def test_redis_counter_adds_and_expires_with_the_window(redis_url):
    backend = RedisCache(redis_url, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    assert [ratelimit._add_redis(backend, "ratelimit:k:1", 1) for _ in range(3)] == [1, 2, 3]
    assert ratelimit._add_redis(backend, "ratelimit:k:1", 5) == 8
    assert ratelimit._add_redis(backend, "ratelimit:k:2", 4) == 4  # another window or key counts apart
    server = redis.Redis.from_url(redis_url)
    name = backend.make_and_validate_key("ratelimit:k:1")
    assert 0 < server.ttl(name) <= ratelimit.WINDOW_SECONDS + 5
    # A counter that expired (here: removed) starts again, with its expiry.
    server.delete(name)
    assert ratelimit._add_redis(backend, "ratelimit:k:1", 2) == 2
    assert 0 < server.ttl(name) <= ratelimit.WINDOW_SECONDS + 5


def test_redis_script_is_loaded_again_when_the_server_lost_it(redis_url):
    backend = RedisCache(redis_url, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    assert ratelimit._add_redis(backend, "ratelimit:k:1", 1) == 1
    redis.Redis.from_url(redis_url).script_flush()  # as a Redis restart would
    assert ratelimit._add_redis(backend, "ratelimit:k:1", 1) == 2


@pytest.mark.django_db
def test_far_below_the_limit_requests_are_added_in_batches():
    key = key_with_limit(100_000)  # a local batch of up to 50
    assert ratelimit.hit(key, NOW) == (True, 60.0)  # the window's first request is added at once
    assert shared_count(key) == 1
    for i in range(1, 50):
        assert ratelimit.hit(key, NOW + i / 1000)[0]
    assert shared_count(key) == 1  # 49 counted here, not added yet
    ratelimit.hit(key, NOW + 0.05)
    assert shared_count(key) == 1 + 50  # the batch's 50th adds them all
    # However few there are, they are added once SYNC_SECONDS have passed.
    ratelimit.hit(key, NOW + 0.06)
    assert shared_count(key) == 51
    ratelimit.hit(key, NOW + 0.06 + ratelimit.SYNC_SECONDS)
    assert shared_count(key) == 53


@pytest.mark.django_db
def test_from_half_the_limit_every_request_is_counted_and_the_limit_is_exact():
    key = key_with_limit(400)  # a local batch of up to 4 while under 200
    answers = [ratelimit.hit(key, NOW + i / 10_000)[0] for i in range(450)]
    assert answers == [True] * 400 + [False] * 50
    assert shared_count(key) == 450  # refused requests count too


@pytest.mark.django_db
def test_another_process_counts_are_seen_at_the_next_sync():
    key = key_with_limit(1000)  # a batch of up to 10 while under 500
    assert ratelimit.hit(key, NOW)[0]
    # Other processes used up the window meanwhile.
    ratelimit.add(f"ratelimit:{key.pk}:{key.prefix}:{int(NOW // 60)}", 999)
    local = [ratelimit.hit(key, NOW + i / 1000)[0] for i in range(1, 10)]
    assert local == [True] * 9  # at most one local batch goes through
    assert not ratelimit.hit(key, NOW + 0.01)[0]  # the batch is added: over the limit
    assert not ratelimit.hit(key, NOW + 0.011)[0]  # and from then on counted at once


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
