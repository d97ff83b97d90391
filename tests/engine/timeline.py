"""A timeline harness, in the manner of Alertmanager's acceptance tests.

A scenario lists submissions at given minutes and the alerts expected at
given minutes. The harness walks a frozen clock through the timeline a tick
at a time (one minute by default, like the django-q2 schedule), processing the
submissions due at each moment and then running the sweep, and finally
compares every alert raised, with its time, against the expectation: an alert
missing, extra or late fails the scenario.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from alerting.engine import Outcome, Submission, clock, process_submission
from alerting.engine.sweep import sweep
from alerting.models import Alert

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)  # a Monday, 09:00 UTC


def at(minute: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minute)


def minute_of(moment: dt.datetime) -> float:
    value = (moment - T0).total_seconds() / 60
    return int(value) if value == int(value) else value


@dataclass
class Check:
    minute: float
    status: str
    monitor: str = "web"
    description: str = ""
    # When the submission says the check happened, if not at ``minute`` (an
    # out-of-order or late submission).
    checked_at: float | None = None
    check: dict[str, str] = field(default_factory=dict)
    monitor_data: dict[str, Any] = field(default_factory=dict)

    def submission(self) -> Submission:
        return Submission(
            monitor=self.monitor,
            status=self.status,
            timestamp=at(self.minute if self.checked_at is None else self.checked_at),
            description=self.description,
            check=self.check,
            monitor_data=self.monitor_data,
        )


@dataclass
class Respond:
    """Someone acknowledges (``until``: a snooze to that minute) or, with
    ``undo``, unacknowledges the monitor's open incident at ``minute``."""

    minute: float
    monitor: str = "web"
    until: float | None = None
    undo: bool = False
    by: str = "Dana"

    def apply(self) -> None:
        from alerting.engine.acknowledgement import acknowledge, unacknowledge
        from alerting.models import Incident

        key = Incident.objects.get(monitor__key=self.monitor, resolved_at__isnull=True).key
        if self.undo:
            unacknowledge(key)
        else:
            acknowledge(key, by=self.by, until=None if self.until is None else at(self.until))


def ack(minute: float, monitor: str = "web", until: float | None = None, by: str = "Dana") -> Respond:
    return Respond(minute, monitor, until, by=by)


def unack(minute: float, monitor: str = "web") -> Respond:
    return Respond(minute, monitor, undo=True)


def error(minute: float, monitor: str = "web", description: str = "Connection refused", **kw: Any) -> Check:
    return Check(minute, "error", monitor, description, **kw)


def ok(minute: float, monitor: str = "web", **kw: Any) -> Check:
    return Check(minute, "ok", monitor, **kw)


@dataclass(frozen=True, order=True)
class Expected:
    minute: float
    type: str
    definition: str
    level: int
    monitor: str = "web"


def A(minute: float, definition: str, level: int = 1, monitor: str = "web") -> Expected:
    return Expected(minute, "Alert", definition, level, monitor)


def R(minute: float, definition: str, level: int = 1, monitor: str = "web") -> Expected:
    return Expected(minute, "Reminder", definition, level, monitor)


def K(minute: float, definition: str, level: int = 1, monitor: str = "web") -> Expected:
    """An Acknowledged alert."""
    return Expected(minute, "Acknowledged", definition, level, monitor)


def O(minute: float, definition: str, level: int = 1, monitor: str = "web") -> Expected:  # noqa: E743
    return Expected(minute, "Ok", definition, level, monitor)


@dataclass
class Run:
    alerts: list[Alert]
    outcomes: list[Outcome]

    def raised(self) -> list[Expected]:
        return sorted(
            Expected(
                minute_of(a.timestamp),
                a.alert_type,
                a.definition_name,
                a.level_number,
                a.incident.monitor.key,
            )
            for a in self.alerts
        )


def play(checks: list[Check | Respond], until: float, tick: float = 1.0) -> Run:
    """Walk the clock from 0 to ``until`` (inclusive)."""
    pending = sorted(checks, key=lambda c: c.minute)
    outcomes: list[Outcome] = []
    moments = sorted({c.minute for c in pending} | {n * tick for n in range(int(until / tick) + 1)})
    for moment in moments:
        now = at(moment)
        with clock.frozen(now):
            while pending and pending[0].minute <= moment:
                item = pending.pop(0)
                if isinstance(item, Respond):
                    item.apply()
                else:
                    outcomes.append(process_submission(item.submission()))
            if moment == int(moment / tick) * tick:
                sweep()
    alerts = list(Alert.objects.select_related("incident__monitor").order_by("timestamp", "pk"))
    return Run(alerts, outcomes)


def assert_timeline(
    checks: list[Check | Respond], expected: list[Expected], until: float, tick: float = 1.0
) -> Run:
    run = play(checks, until, tick)
    actual = run.raised()
    want = sorted(expected)
    assert actual == want, "\n".join(
        ["alerts differ (minute, type, definition, level, monitor):"]
        + [f"  missing: {e}" for e in want if e not in actual]
        + [f"  extra:   {a}" for a in actual if a not in want]
    )
    return run
