"""The engine's notion of "now", replaceable so tests can drive time.

Every engine entry point takes an optional ``now``; when it is not given, this
clock answers. The timeline harness freezes it so that submissions made
through the HTTP API see the scenario's time too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    return _frozen if _frozen is not None else timezone.now()


def set_now(moment: dt.datetime | None) -> None:
    """Freeze the clock at ``moment`` (an aware datetime), or unfreeze with None."""
    global _frozen
    if moment is not None and timezone.is_naive(moment):
        raise ValueError("The engine clock needs an aware datetime.")
    _frozen = moment


@contextmanager
def frozen(moment: dt.datetime) -> Iterator[None]:
    previous = _frozen
    set_now(moment)
    try:
        yield
    finally:
        set_now(previous)
