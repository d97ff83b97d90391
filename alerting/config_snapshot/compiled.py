"""The compiled configuration: plain, immutable data the engine decides from.

Built by ``alerting.config_snapshot.build`` from the database, shared by every
thread of a process until the configuration's version changes. Nothing here
queries the database; time-dependent parts (maintenance periods, off-duty
schedules) are kept as windows and evaluated at the moment of use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from alerting.models.schedules import window_covers

# Alert types as stored on Alert.alert_type (alerting.models.AlertType).
ALERT, OK, REMINDER, ACKNOWLEDGED = "Alert", "Ok", "Reminder", "Acknowledged"
DISABLE_NOTIFICATIONS, DISABLE_MONITORING = "disable_notifications", "disable_monitoring"
ERROR_DURATION = "error_duration"
# How a definition reaches a monitor (Snapshot.covering_paths), besides a group id.
ALL_MONITORS, DIRECTLY = "all monitors", "directly"


@dataclass(frozen=True, slots=True)
class Window:
    """A maintenance period's or an off-duty schedule's window, as data."""

    mode: str
    start_datetime: dt.datetime | None
    end_datetime: dt.datetime | None
    weekday: int | None
    month_day: int | None
    start_time: dt.time | None
    end_time: dt.time | None

    def covers(self, moment: dt.datetime, tz: dt.tzinfo | str) -> bool:
        return window_covers(self, moment, tz)


@dataclass(frozen=True, slots=True)
class Maintenance:
    kind: str  # DISABLE_NOTIFICATIONS or DISABLE_MONITORING
    window: Window


@dataclass(frozen=True, slots=True)
class OperatorInfo:
    """An active, on-duty operator; whether an off-duty schedule covers the
    moment is decided at use."""

    id: Any
    full_name: str
    email: str
    mobile_phone: str
    off_duty: tuple[Window, ...]

    def available(self, moment: dt.datetime, tz: str) -> bool:
        return not any(w.covers(moment, tz) for w in self.off_duty)


@dataclass(frozen=True, slots=True)
class Link:
    """An active level integration to an active integration."""

    id: int
    integration_id: Any
    kind: str
    # The alert types it sends: a custom integration's steps decide, the
    # level's OK and reminder boxes the others' (no Ok by phone).
    wants: frozenset[str]
    variable_values: Mapping[str, Any]
    extra_emails: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Level:
    id: int
    definition_id: Any
    definition_name: str
    definition_active: bool
    number: int
    is_active: bool
    mode: str
    threshold: int
    number_of_reminders: int
    reminder_delay_minutes: int
    message: str
    links: tuple[Link, ...]
    # Its operators and its groups' members (every operator for *Everyone*),
    # active and on duty, each once, in name order.
    operators: tuple[OperatorInfo, ...]

    @property
    def pk(self) -> int:
        return self.id

    @property
    def order(self) -> tuple[str, str, int]:
        """The order the engine walks levels in: definition name, definition, number."""
        return (self.definition_name, str(self.definition_id), self.number)


@dataclass(frozen=True)
class Snapshot:
    version: int | None
    levels: Mapping[int, Level]  # every level, active or not (Ok alerts need switched-off ones)
    active_levels: tuple[Level, ...]  # of active definitions, in walk order
    everyone: frozenset[Any]  # active definitions covering All monitors
    by_group: Mapping[Any, frozenset[Any]]  # ordinary group -> active definitions
    by_monitor: Mapping[Any, frozenset[Any]]  # monitor -> active definitions naming it
    # Monitor -> the ordinary groups it belongs to, for the groups a definition
    # or a maintenance period names (no other membership matters here).
    groups_of_monitor: Mapping[Any, frozenset[Any]]
    maintenance_of_monitor: Mapping[Any, tuple[Maintenance, ...]]
    maintenance_of_group: Mapping[Any, tuple[Maintenance, ...]]
    maintenance_everywhere: tuple[Maintenance, ...]  # periods of All monitors
    stop_all: bool
    # Levels per set of covering definitions, filled on use (many monitors share one set).
    _levels_memo: dict[frozenset[Any], tuple[Level, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def covering(self, monitor_id: Any) -> frozenset[Any]:
        """Active definitions covering the monitor: directly, through one of its
        groups, or through *All monitors*."""
        found = self.everyone
        direct = self.by_monitor.get(monitor_id)
        if direct:
            found = found | direct
        if self.by_group:
            for group_id in self.groups_of_monitor.get(monitor_id, ()):
                found = found | self.by_group.get(group_id, frozenset())
        return found

    def levels_for(self, monitor_id: Any) -> tuple[Level, ...]:
        """Every active level of every covering definition, in walk order."""
        key = self.covering(monitor_id)
        levels = self._levels_memo.get(key)
        if levels is None:
            levels = self._levels_memo[key] = tuple(
                lv for lv in self.active_levels if lv.definition_id in key
            )
        return levels

    def maintenance_for(self, monitor_id: Any) -> tuple[Maintenance, ...]:
        periods = self.maintenance_everywhere + self.maintenance_of_monitor.get(monitor_id, ())
        if self.maintenance_of_group:
            for group_id in self.groups_of_monitor.get(monitor_id, ()):
                periods += self.maintenance_of_group.get(group_id, ())
        return periods

    def in_maintenance_anywhere(self, moment: dt.datetime, kind: str, tz: str) -> bool:
        """Whether a period of ``kind`` covers any monitor at ``moment``."""
        periods = (
            *self.maintenance_everywhere,
            *(p for ps in self.maintenance_of_monitor.values() for p in ps),
            *(p for ps in self.maintenance_of_group.values() for p in ps),
        )
        return any(p.kind == kind and p.window.covers(moment, tz) for p in periods)

    def in_maintenance(self, monitor_id: Any, moment: dt.datetime, kind: str, tz: str) -> bool:
        """Whether a period of ``kind`` covers the monitor at ``moment`` (windows
        read in the account time zone ``tz``)."""
        return any(p.kind == kind and p.window.covers(moment, tz) for p in self.maintenance_for(monitor_id))

    def covering_paths(self, monitor_id: Any) -> dict[Any, tuple[Any, ...]]:
        """``covering`` with the reasons, for people (the admin's coverage
        summaries): active definition -> how it reaches the monitor, each of
        ``ALL_MONITORS``, ``DIRECTLY`` or an ordinary group's id."""
        paths: dict[Any, list[Any]] = {}
        for definition_id in self.everyone:
            paths.setdefault(definition_id, []).append(ALL_MONITORS)
        for group_id in sorted(self.groups_of_monitor.get(monitor_id, ()), key=str):
            for definition_id in self.by_group.get(group_id, ()):
                paths.setdefault(definition_id, []).append(group_id)
        for definition_id in self.by_monitor.get(monitor_id, ()):
            paths.setdefault(definition_id, []).append(DIRECTLY)
        return {key: tuple(value) for key, value in paths.items()}
