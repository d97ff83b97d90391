"""Per-key request rate limit: a fixed one-minute window, counted exactly.

The count is shared by every web process: in Redis when ``REDIS_URL`` is set
(one server-side script: INCRBY, and EXPIRE on a window's first increment),
otherwise in the database (one ``INSERT … ON CONFLICT DO UPDATE … RETURNING``
on ``alerting.RateCounter``, PostgreSQL and SQLite 3.35+). Either way one
statement adds and reads back, so concurrent requests never lose a count (the
Django database cache's ``incr`` reads then writes, and did). A fixed window
is crude at its edges (a burst of up to twice the limit across a boundary)
but costs one increment per request.

Far below its limit a key need not pay that round trip on every request: the
process *reserves* a block of requests (a hundredth of the limit, at most
``BATCH_MAX``) with one increment and lets them through locally. Reserved
requests are counted before they are let through, so the limit is never
exceeded; only requests within the limit are granted from a block that
crosses it. Blocks are reserved only while the count, as this process last
saw it, is under half the limit; from there on each request is counted
before it is answered. A process that falls idle holding part of a block
wastes it for the rest of the window: the key may then be refused up to
that many requests early, never let through beyond its limit.

When the counter cannot be reached (Redis down, the database locked for
longer than its timeout) the limit fails open: requests are let through,
the outage is logged once per process, and the counter is tried again after
a second.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import redis
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from alerting.models import ApiKey, RateCounter
from alertsite.db.columns import concrete_field
from alertsite.outage import Outage

T = TypeVar("T")

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60
BATCH_MAX = 50
REDIS_TIMEOUT_SECONDS = 1.0

outage = Outage(logger, "API rate-limit counter", "requests are not rate limited")


def limit_for(api_key: ApiKey) -> int:
    return api_key.rate_limit_per_minute or settings.API_RATE_LIMIT_PER_MINUTE


def block_size(limit: int, seen: int) -> int:
    """How many requests to reserve at once, given the count last seen."""
    block = min(limit // 100, BATCH_MAX)
    return block if block > 1 and seen + block <= limit // 2 else 1


@dataclass
class _Tally:
    """One key's window as this process sees it."""

    window: int
    seen: int = 0  # the shared count after this process's last increment
    reserved: int = 0  # requests counted in the shared count, not yet let through


_tallies: dict[str, _Tally] = {}
_lock = threading.Lock()


def hit(api_key: ApiKey, now: float | None = None) -> tuple[bool, float]:
    """Count one request; return (allowed, seconds until the window ends)."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    remaining = (window + 1) * WINDOW_SECONDS - now
    limit = limit_for(api_key)
    name = f"{api_key.pk}:{api_key.prefix}"
    with _lock:
        tally = _tallies.get(name)
        if tally is None or tally.window != window:
            if len(_tallies) > 1000:  # keys not seen this window
                for stale in [k for k, t in _tallies.items() if t.window != window]:
                    del _tallies[stale]
            tally = _tallies[name] = _Tally(window)
        if tally.reserved > 0:
            tally.reserved -= 1
            return True, remaining
        block = block_size(limit, tally.seen)
    if outage.backing_off():
        return True, remaining
    try:
        count = add(f"{name}:{window}", block, window)
    except (redis.RedisError, DatabaseError) as exc:
        outage.failed(exc)
        return True, remaining
    outage.succeeded()
    # Of the block, only the requests up to the limit are ours to let through.
    granted = max(0, min(block, limit - (count - block)))
    with _lock:
        tally.seen = max(tally.seen, count)
        if granted > 1:
            tally.reserved += granted - 1  # this request takes the first
    return granted > 0, remaining


def add(key: str, delta: int, window: int) -> int:
    """Add ``delta`` to the shared counter ``key`` of ``window``; return its new value."""
    if settings.REDIS_URL:
        return _add_redis(key, delta)
    return _add_database(key, delta, window)


# --- The database counter -------------------------------------------------------

_cleared_before = 0  # windows before this one have been removed (by this process)


def _add_database(key: str, delta: int, window: int) -> int:
    global _cleared_before
    if window > _cleared_before:
        # Once per window and process: counters of finished windows go.
        _cleared_before = window
        _atomic(lambda: RateCounter.objects.filter(window__lt=window).delete())
    return _atomic(lambda: _upsert(key, delta, window))


def _upsert(key: str, delta: int, window: int) -> int:
    # One statement adds and reads back: atomic on PostgreSQL (the row lock)
    # and on SQLite (the write lock), whatever the isolation level. The ORM
    # has no upsert that adds to the stored value and returns it.
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(), [key, window, delta])
        return int(cursor.fetchone()[0])


def _upsert_sql() -> str:
    q = connection.ops.quote_name
    meta = RateCounter._meta
    t = q(meta.db_table)
    k, w, c = (q(concrete_field(RateCounter, name).column) for name in ("key", "window", "count"))
    # Only quoted names of our own model are formatted in; the values are parameters.
    insert = f"INSERT INTO {t} ({k}, {w}, {c}) VALUES (%s, %s, %s)"  # noqa: S608
    return f"{insert} ON CONFLICT ({k}) DO UPDATE SET {c} = {t}.{c} + excluded.{c} RETURNING {c}"


def _atomic(work: Callable[[], T]) -> T:
    # Inside a transaction (a test, a caller's atomic block) a failed
    # statement must not break the caller's transaction on PostgreSQL: a
    # savepoint confines it. Outside one, the statement is its own transaction.
    if connection.in_atomic_block:
        with transaction.atomic():
            return work()
    return work()


# --- The Redis counter ------------------------------------------------------------

# Add, and start the window's expiry with its first increment, atomically.
_ADD_SCRIPT = """
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return count
"""

_scripts: dict[str, redis.commands.core.Script] = {}


def _script(url: str) -> redis.commands.core.Script:
    """The counter script, bound to a client of its own with short timeouts (a
    hung Redis must not hold requests for long), kept per process and URL. The
    script is sent by its SHA and loaded again by redis-py if the server lost it."""
    script = _scripts.get(url)
    if script is None:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
        )
        script = _scripts[url] = client.register_script(_ADD_SCRIPT)
    return script


def _add_redis(key: str, delta: int, url: str | None = None) -> int:
    script = _script(url or settings.REDIS_URL)
    return int(script(keys=[f"alertsite:ratelimit:{key}"], args=[delta, WINDOW_SECONDS + 5]))


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
