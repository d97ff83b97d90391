"""The worker's log lines name the django-q2 task they belong to.

django-q2 sends ``pre_execute`` and ``post_execute_in_worker`` around each
task in the worker process that runs it; the task's name and id are bound to
the log context between the two.
"""

from __future__ import annotations

import contextvars
from typing import Any

from alertsite.observability import logcontext

_token: contextvars.ContextVar[contextvars.Token[Any] | None] = contextvars.ContextVar(
    "task_token", default=None
)


def task_started(sender: Any, func: Any = None, task: dict[str, Any] | None = None, **kwargs: Any) -> None:
    task = task or {}
    name = task.get("func")
    if not isinstance(name, str):
        name = getattr(func, "__qualname__", None) or repr(name)
    _token.set(logcontext.bind(task=name, task_id=str(task.get("id", ""))))


def task_ended(sender: Any, **kwargs: Any) -> None:
    token = _token.get()
    if token is not None:
        _token.set(None)
        try:
            logcontext.unbind(token)
        except ValueError:  # bound in another context: start afresh
            logcontext.clear()


def connect() -> None:
    from django_q.signals import post_execute_in_worker, pre_execute

    pre_execute.connect(task_started, dispatch_uid="alertsite-log-task-started")
    post_execute_in_worker.connect(task_ended, dispatch_uid="alertsite-log-task-ended")
