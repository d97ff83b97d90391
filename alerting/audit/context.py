"""Who is acting, and through what: a context variable set by each channel."""

from __future__ import annotations

import contextlib
import contextvars
import getpass
from collections.abc import Callable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Acting:
    # A callable for web requests: the user is known only once authentication ran.
    actor: str | Callable[[], str]
    channel: str
    request_id: str = ""

    def actor_name(self) -> str:
        return (self.actor() if callable(self.actor) else self.actor)[:200]


_current: contextvars.ContextVar[Acting | None] = contextvars.ContextVar("audit_acting", default=None)


def current() -> Acting | None:
    return _current.get()


@contextlib.contextmanager
def acting(actor: str | Callable[[], str], channel: str, request_id: str = "") -> Iterator[Acting]:
    """Changes made inside the block are recorded as ``actor``'s, through ``channel``."""
    outer = _current.get()
    here = Acting(actor, channel, request_id or (outer.request_id if outer else ""))
    token = _current.set(here)
    try:
        yield here
    finally:
        _current.reset(token)


def command_user() -> str:
    """The operating-system user running a management command."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown user"


def as_command(name: str) -> contextlib.AbstractContextManager[Acting]:
    """For a management command: acting as the system user, through the command."""
    return acting(command_user(), f"command {name}")
