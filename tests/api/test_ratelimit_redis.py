"""The per-key rate-limit counter on Redis: one atomic round trip that counts
and starts the window's expiry (alerting.api.ratelimit._count_redis)."""

from __future__ import annotations

import uuid

import redis
from django.core.cache.backends.redis import RedisCache

from alerting.api.ratelimit import WINDOW_SECONDS, _count_redis


def test_counts_and_expires_with_the_window(redis_url):
    backend = RedisCache(redis_url, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    assert [_count_redis(backend, "ratelimit:k:1") for _ in range(3)] == [1, 2, 3]
    assert _count_redis(backend, "ratelimit:k:2") == 1  # another window or key counts apart
    server = redis.Redis.from_url(redis_url)
    name = backend.make_and_validate_key("ratelimit:k:1")
    assert 0 < server.ttl(name) <= WINDOW_SECONDS + 5
    # A counter that expired (here: removed) starts again at 1, with its expiry.
    server.delete(name)
    assert _count_redis(backend, "ratelimit:k:1") == 1
    assert 0 < server.ttl(name) <= WINDOW_SECONDS + 5


def test_the_script_is_loaded_again_when_the_server_lost_it(redis_url):
    backend = RedisCache(redis_url, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    assert _count_redis(backend, "ratelimit:k:1") == 1
    redis.Redis.from_url(redis_url).script_flush()  # as a Redis restart would
    assert _count_redis(backend, "ratelimit:k:1") == 2
