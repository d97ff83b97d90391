"""The django-q2 schedule that runs the sweep every minute, created idempotently
after migrations (a ``post_migrate`` handler, so a fresh test database has it too)."""

from __future__ import annotations

from typing import Any

SWEEP_NAME = "alerting: escalation sweep"
SWEEP_FUNC = "alerting.engine.sweep.run_sweep"


def ensure_sweep_schedule(using: str = "default", **kwargs: Any) -> None:
    from django.db import connections
    from django_q.models import Schedule

    # After `migrate django_q zero` the table is gone; nothing to schedule then.
    if Schedule._meta.db_table not in connections[using].introspection.table_names():
        return
    Schedule.objects.using(using).get_or_create(
        name=SWEEP_NAME,
        defaults={
            "func": SWEEP_FUNC,
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )
