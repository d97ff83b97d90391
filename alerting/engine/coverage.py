"""Which escalation levels apply to a monitor, and the gates that silence them.

Everything here is read through a ``Coverage``: one per engine transaction (a
batch of submissions, or one sweep step), over the process's compiled
configuration (``alerting.config_snapshot``), which costs one SELECT of the
configuration's version per batch. Deciding for a monitor is then a few
dictionary lookups; only maintenance windows and off-duty schedules depend on
the time, and are evaluated at it.

Reading a snapshot within the transaction is safe: the engine holds the
monitors' row locks, and configuration edits made meanwhile are seen by the
next batch, as they were before by the next submission.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from alerting import config_snapshot
from alerting.config_snapshot import Level, Snapshot
from alerting.config_snapshot.compiled import DISABLE_MONITORING, DISABLE_NOTIFICATIONS
from alerting.engine.recipients import Recipient, recipients_for
from alerting.models import Monitor

SUPPRESSED_MAINTENANCE = "maintenance: notifications disabled"
SUPPRESSED_STOP_ALL = "stop all alerts is on"


def monitor_alerts(monitor: Monitor) -> bool:
    """An inactive monitor, or one with *generate alerts* off, raises no alerts."""
    return monitor.is_active and monitor.generate_alerts


class Coverage:
    """Coverage, maintenance and recipients at ``now``, for one engine transaction."""

    def __init__(self, now: dt.datetime, snapshot: Snapshot | None = None) -> None:
        self.now = now
        self.config = snapshot or config_snapshot.get()
        self.time_zone = settings.TIME_ZONE
        self._recipients: dict[tuple[Any, ...], list[Recipient]] = {}

    def monitoring_disabled(self, monitor: Monitor, moment: dt.datetime) -> bool:
        return self.config.in_maintenance(monitor.pk, moment, DISABLE_MONITORING, self.time_zone)

    def monitoring_disabled_anywhere(self, moment: dt.datetime) -> bool:
        return self.config.in_maintenance_anywhere(moment, DISABLE_MONITORING, self.time_zone)

    def suppression(self, monitor: Monitor) -> str:
        """Why alerts raised now get no messages, or "" when they do."""
        if self.config.stop_all:
            return SUPPRESSED_STOP_ALL
        if self.config.in_maintenance(monitor.pk, self.now, DISABLE_NOTIFICATIONS, self.time_zone):
            return SUPPRESSED_MAINTENANCE
        return ""

    def covering(self, monitor: Monitor) -> frozenset[Any]:
        return self.config.covering(monitor.pk)

    def levels_for(self, monitor: Monitor) -> tuple[Level, ...]:
        """Every active level of every covering definition, in order."""
        return self.config.levels_for(monitor.pk)

    def level(self, level_id: int) -> Level | None:
        """Any level, active or not (an Ok goes out for a level switched off since)."""
        return self.config.levels.get(level_id)

    def recipients(self, kind: str, level: Level, extra_emails: tuple[str, ...]) -> list[Recipient]:
        """Who an operator-kind message goes to, once per level and kind: every
        alert of the batch is raised at the same moment."""
        key = (kind, level.id, extra_emails)
        found = self._recipients.get(key)
        if found is None:
            found = self._recipients[key] = recipients_for(
                kind, level, extra_emails, self.now, self.time_zone
            )
        return found
