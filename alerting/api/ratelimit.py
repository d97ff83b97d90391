"""Per-key request rate limit: a fixed one-minute window counted in the cache.

With Redis configured the cache is shared by every web process, so the limit
holds across the whole deployment; with the database cache it is shared too
(one row per key and window). A fixed window is crude at its edges (a burst of
up to twice the limit across a boundary) but costs one increment per request.

Far below its limit a key need not pay that round trip on every request: while
its count is under half the limit, each process counts up to a hundredth of
the limit (at most ``BATCH_MAX``) locally, for at most ``SYNC_SECONDS``, and
adds them to the shared count in one increment. From half the limit on (as the
process last saw the shared count, at most that long ago), every request is
counted in the shared cache before it is answered, so each process can let
through at most its last local batch beyond the limit. A limit under 200 a
minute is always counted exactly.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from alerting.models import ApiKey

WINDOW_SECONDS = 60
SYNC_SECONDS = 0.1
BATCH_MAX = 50


def limit_for(api_key: ApiKey) -> int:
    return api_key.rate_limit_per_minute or settings.API_RATE_LIMIT_PER_MINUTE


@dataclass
class _Tally:
    """One key's window as this process sees it."""

    window: int
    shared: int = 0  # the shared count when this process last added to it
    pending: int = 0  # requests counted here, not yet added
    synced_at: float = -math.inf


_tallies: dict[str, _Tally] = {}
_lock = threading.Lock()


def hit(api_key: ApiKey, now: float | None = None) -> tuple[bool, float]:
    """Count one request; return (allowed, seconds until the window ends)."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    remaining = (window + 1) * WINDOW_SECONDS - now
    limit = limit_for(api_key)
    name = f"ratelimit:{api_key.pk}:{api_key.prefix}"
    with _lock:
        tally = _tallies.get(name)
        if tally is None or tally.window != window:
            if len(_tallies) > 1000:  # keys not seen this window
                for stale in [k for k, t in _tallies.items() if t.window != window]:
                    del _tallies[stale]
            tally = _tallies[name] = _Tally(window)
        tally.pending += 1
        if (
            tally.pending < min(limit // 100, BATCH_MAX)
            and tally.shared + tally.pending <= limit // 2
            and now - tally.synced_at < SYNC_SECONDS
        ):
            return True, remaining
        delta, tally.pending, tally.synced_at = tally.pending, 0, now
    count = add(f"{name}:{window}", delta)
    with _lock:
        tally.shared = max(tally.shared, count)
    return count <= limit, remaining


def add(key: str, delta: int) -> int:
    """Add ``delta`` to the shared counter ``key``; return its new value."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return _add_redis(backend, key, delta)
    # add() is a no-op when the counter exists, so concurrent first requests
    # do not reset each other; incr() is atomic in Redis and the DB cache.
    cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
    try:
        return cache.incr(key, delta)
    except ValueError:
        # The counter expired between add() and incr(): start the window again.
        cache.set(key, delta, timeout=WINDOW_SECONDS + 5)
        return delta


# Add, and start the window's expiry with its first increment, atomically.
_ADD_SCRIPT = """
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return count
"""


def _add_redis(backend: RedisCache, key: str, delta: int) -> int:
    """The same counter in one round trip and one command (a server-side
    script: INCRBY, and EXPIRE on the first). Django's add() and incr() would
    take three trips."""
    name = backend.make_and_validate_key(key)
    # Django builds a new redis.Redis (and its table of ~170 response
    # callbacks) on every get_client() call: keep the script, bound to one
    # client, per backend instance (caches are per thread; the client is
    # thread-safe over its pool). The script is sent by its SHA and loaded
    # again by redis-py if the server lost it.
    script = getattr(backend, "_rate_limit_script", None)
    if script is None:
        client = backend._cache.get_client(name, write=True)
        script = backend._rate_limit_script = client.register_script(_ADD_SCRIPT)
    return int(script(keys=[name], args=[delta, WINDOW_SECONDS + 5]))


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
