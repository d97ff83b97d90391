"""What the current log line is about: the request or the worker's task and message.

Context variables, so each thread (a gunicorn thread, a delivery lane) and
each request has its own; the JSON formatter reads them for every line.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

# One dict per request or task, replaced (never mutated in place across contexts).
_fields: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("log_fields", default=None)


def current() -> dict[str, Any]:
    return _fields.get() or {}


@contextlib.contextmanager
def bound(**fields: Any) -> Iterator[None]:
    """Add ``fields`` to every log line written inside the block."""
    token = _fields.set({**current(), **fields})
    try:
        yield
    finally:
        _fields.reset(token)


def bind(**fields: Any) -> contextvars.Token[dict[str, Any] | None]:
    """As ``bound`` for code that cannot use a ``with`` (signal pairs); undo with ``unbind``."""
    return _fields.set({**current(), **fields})


def unbind(token: contextvars.Token[dict[str, Any] | None]) -> None:
    _fields.reset(token)


def clear() -> None:
    _fields.set(None)
