"""Which escalation levels apply to a monitor, and the gates that silence them.

Everything here is read through a ``Coverage``: one per engine transaction (a
batch of submissions, or one sweep step), loading what it needs once for all
the monitors it was given. A batch of a thousand check results so costs a
handful of queries for coverage and maintenance instead of several per item,
and nothing at all is loaded for the common case that needs none of it (an OK
on a monitor without an open incident only asks about maintenance).

Caching within the transaction is safe: the engine holds the monitors' row
locks, and configuration edits made meanwhile are seen by the next batch, as
they were before by the next submission.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q

from alerting.engine.recipients import Recipient, recipients_for
from alerting.models import (
    AccountSettings,
    AlertDefinition,
    EscalationLevel,
    LevelIntegration,
    MaintenancePeriod,
    MaintenanceType,
    Monitor,
    MonitorGroup,
)

SUPPRESSED_MAINTENANCE = "maintenance: notifications disabled"
SUPPRESSED_STOP_ALL = "stop all alerts is on"

GroupMembership = MonitorGroup.monitors.through
DefinitionGroups = AlertDefinition.monitor_groups.through
DefinitionMonitors = AlertDefinition.monitors.through


def monitor_alerts(monitor: Monitor) -> bool:
    """An inactive monitor, or one with *generate alerts* off, raises no alerts."""
    return monitor.is_active and monitor.generate_alerts


class Coverage:
    """Coverage, maintenance and recipients for a set of monitors at ``now``."""

    def __init__(self, monitors: Iterable[Monitor], now: dt.datetime, *, maintenance: bool = True) -> None:
        """``maintenance=False``: the caller knows no period concerns these
        monitors (it asked in the query that locked them)."""
        self.now = now
        self.monitor_ids = [m.pk for m in monitors]
        self._groups: dict[Any, set[Any]] | None = None
        self._periods: list[MaintenancePeriod] | None = None if maintenance else []
        self._levels: dict[Any, list[EscalationLevel]] = {}
        self._definitions: tuple[dict[Any, set[Any]], set[Any], dict[Any, set[Any]]] | None = None
        self._all_levels: list[EscalationLevel] | None = None
        self._stop_all: bool | None = None
        self._recipients: dict[tuple[Any, ...], list[Recipient]] = {}

    # --- group membership -------------------------------------------------------

    def _membership(self) -> dict[Any, set[Any]]:
        """Monitor id -> ids of its (ordinary) groups, for all the monitors."""
        if self._groups is None:
            self._groups = defaultdict(set)
            rows = GroupMembership.objects.filter(monitor_id__in=self.monitor_ids).values_list(
                "monitor_id", "monitorgroup_id"
            )
            for monitor_id, group_id in rows:
                self._groups[monitor_id].add(group_id)
        return self._groups

    def groups_of(self, monitor: Monitor) -> set[Any]:
        return self._membership().get(monitor.pk, set())

    # --- maintenance --------------------------------------------------------------

    def periods(self) -> list[MaintenancePeriod]:
        """Every maintenance period that may concern one of the monitors.

        One plain single-table query (the monitors' own periods and every
        group period, which are few), so the usual answer, none, is cheap; the
        group membership is loaded only if a period names an ordinary group.
        """
        if self._periods is None:
            self._periods = list(
                MaintenancePeriod.objects.filter(
                    Q(monitor_id__in=self.monitor_ids) | Q(monitor_group__isnull=False)
                ).select_related("monitor_group")
            )
        return self._periods

    def _active_periods(self, monitor: Monitor, moment: dt.datetime, kind: str) -> bool:
        for period in self.periods():
            if period.maintenance_type != kind:
                continue
            if period.monitor_id is not None:
                applies = period.monitor_id == monitor.pk
            else:
                group = period.monitor_group
                applies = group.is_all_monitors or group.pk in self.groups_of(monitor)
            if applies and period.covers(moment, settings.TIME_ZONE):
                return True
        return False

    def monitoring_disabled(self, monitor: Monitor, moment: dt.datetime) -> bool:
        return self._active_periods(monitor, moment, MaintenanceType.DISABLE_MONITORING)

    def suppression(self, monitor: Monitor) -> str:
        """Why alerts raised now get no messages, or "" when they do."""
        if self._stop_all is None:
            self._stop_all = AccountSettings.objects.filter(pk=1, stop_all_alerts=True).exists()
        if self._stop_all:
            return SUPPRESSED_STOP_ALL
        if self._active_periods(monitor, self.now, MaintenanceType.DISABLE_NOTIFICATIONS):
            return SUPPRESSED_MAINTENANCE
        return ""

    # --- definitions and levels -------------------------------------------------

    def _load_definitions(self) -> tuple[dict[Any, set[Any]], set[Any], dict[Any, set[Any]]]:
        """(group id -> active definitions, definitions covering all monitors,
        monitor id -> active definitions naming it directly)."""
        if self._definitions is None:
            by_group: dict[Any, set[Any]] = defaultdict(set)
            everyone: set[Any] = set()
            rows = DefinitionGroups.objects.filter(alertdefinition__is_active=True).values_list(
                "alertdefinition_id", "monitorgroup_id", "monitorgroup__is_all_monitors"
            )
            for definition_id, group_id, is_all in rows:
                if is_all:
                    everyone.add(definition_id)
                else:
                    by_group[group_id].add(definition_id)
            direct: dict[Any, set[Any]] = defaultdict(set)
            rows = DefinitionMonitors.objects.filter(
                alertdefinition__is_active=True, monitor_id__in=self.monitor_ids
            ).values_list("monitor_id", "alertdefinition_id")
            for monitor_id, definition_id in rows:
                direct[monitor_id].add(definition_id)
            self._definitions = (by_group, everyone, direct)
        return self._definitions

    def covering(self, monitor: Monitor) -> set[Any]:
        """Active definitions covering ``monitor``: directly, through one of its
        groups, or through *All monitors* (which holds every monitor)."""
        by_group, everyone, direct = self._load_definitions()
        found = set(everyone) | direct.get(monitor.pk, set())
        if by_group:
            for group_id in self.groups_of(monitor):
                found |= by_group.get(group_id, set())
        return found

    def _levels_of_batch(self) -> list[EscalationLevel]:
        """Every active level of every definition covering one of the monitors,
        ordered as the engine walks them, with what sending needs prefetched."""
        if self._all_levels is None:
            by_group, everyone, direct = self._load_definitions()
            wanted = set(everyone)
            for ids in direct.values():
                wanted |= ids
            if by_group:
                groups = set().union(*self._membership().values())
                for group_id in groups:
                    wanted |= by_group.get(group_id, set())
            links = (
                LevelIntegration.objects.filter(is_active=True, integration__is_active=True)
                .select_related("integration")
                .prefetch_related("integration__steps")
                .order_by("integration__name", "pk")
            )
            self._all_levels = list(
                EscalationLevel.objects.filter(is_active=True, definition_id__in=wanted)
                .select_related("definition")
                .prefetch_related(Prefetch("integration_links", queryset=links, to_attr="active_links"))
                .order_by("definition__name", "definition_id", "number")
            )
        return self._all_levels

    def levels_for(self, monitor: Monitor) -> list[EscalationLevel]:
        """Every active level of every covering definition, in order."""
        key = frozenset(self.covering(monitor))
        if key not in self._levels:
            self._levels[key] = [lv for lv in self._levels_of_batch() if lv.definition_id in key]
        return self._levels[key]

    # --- recipients ---------------------------------------------------------------

    def recipients(self, kind: str, level: EscalationLevel, extra_emails: list[str]) -> list[Recipient]:
        """Who an operator-kind message goes to, once per level and kind: every
        alert of the batch is raised at the same moment."""
        key = (kind, level.pk, tuple(e for e in extra_emails or [] if isinstance(e, str)))
        if key not in self._recipients:
            self._recipients[key] = recipients_for(kind, level, extra_emails, self.now)
        return self._recipients[key]
