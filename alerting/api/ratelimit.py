"""Per-key request rate limit: a fixed one-minute window counted in the cache.

With Redis configured the cache is shared by every web process, so the limit
holds across the whole deployment; with the database cache it is shared too
(one row per key and window). A fixed window is crude at its edges (a burst of
up to twice the limit across a boundary) but costs one increment per request.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from alerting.models import ApiKey

WINDOW_SECONDS = 60


def limit_for(api_key: ApiKey) -> int:
    return api_key.rate_limit_per_minute or settings.API_RATE_LIMIT_PER_MINUTE


def hit(api_key: ApiKey, now: float | None = None) -> tuple[bool, float]:
    """Count one request; return (allowed, seconds until the window ends)."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = f"ratelimit:{api_key.pk}:{api_key.prefix}:{window}"
    backend = caches["default"]
    count = _count_redis(backend, key) if isinstance(backend, RedisCache) else _count(key)
    remaining = (window + 1) * WINDOW_SECONDS - now
    return count <= limit_for(api_key), remaining


def _count(key: str) -> int:
    # add() is a no-op when the counter exists, so concurrent first requests
    # do not reset each other; incr() is atomic in Redis and the DB cache.
    cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
    try:
        return cache.incr(key)
    except ValueError:
        # The counter expired between add() and incr(): start the window again.
        cache.set(key, 1, timeout=WINDOW_SECONDS + 5)
        return 1


# Count, and start the window's expiry with its first request, atomically.
_COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


def _count_redis(backend: RedisCache, key: str) -> int:
    """The same counter in one round trip and one command (a server-side
    script: INCR, and EXPIRE on the first). Django's add() and incr() would
    take three trips on every API request."""
    name = backend.make_and_validate_key(key)
    # Django builds a new redis.Redis (and its table of ~170 response
    # callbacks) on every get_client() call: keep the script, bound to one
    # client, per backend instance (caches are per thread; the client is
    # thread-safe over its pool). The script is sent by its SHA and loaded
    # again by redis-py if the server lost it.
    script = getattr(backend, "_rate_limit_script", None)
    if script is None:
        client = backend._cache.get_client(name, write=True)
        script = backend._rate_limit_script = client.register_script(_COUNT_SCRIPT)
    return int(script(keys=[name], args=[WINDOW_SECONDS + 5]))


class ApiKeyRateThrottle(BaseThrottle):
    """DRF throttle: 429 with Retry-After once a key exceeds its limit."""

    def allow_request(self, request: Request, view: object) -> bool:
        api_key = request.auth
        if not isinstance(api_key, ApiKey):
            return True
        allowed, self._wait = hit(api_key)
        return allowed

    def wait(self) -> float | None:
        return max(1, math.ceil(getattr(self, "_wait", WINDOW_SECONDS)))
