"""A worker's sign of life, for /healthz: a timestamp in the shared cache."""

from __future__ import annotations

import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)

KEY = "delivery:worker-seen"
_last_written = 0.0


def beat() -> None:
    global _last_written
    if time.monotonic() - _last_written < 5:
        return
    try:
        cache.set(KEY, time.time(), timeout=3600)
        _last_written = time.monotonic()
    except Exception:
        logger.warning("could not write the delivery heartbeat", exc_info=True)


def seconds_since_seen() -> float | None:
    try:
        seen = cache.get(KEY)
    except Exception:
        return None
    return None if seen is None else max(0.0, time.time() - float(seen))
