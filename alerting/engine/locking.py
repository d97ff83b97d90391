"""Locking (and creating) the monitors a batch of submissions names.

Every submission holds its monitor's row lock until its transaction ends; the
sweep takes the same lock, so the two never act on one incident at once. A
batch locks all its monitors with one query, in key order, so two batches
naming the same monitors queue up instead of deadlocking.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import OuterRef, QuerySet, Subquery

from alerting.engine import chained
from alerting.models import CheckStatus, Incident, Monitor
from alertsite.db.hot_sql import FEW, select


class UnknownMonitor(Exception):
    """The key names no monitor and AUTO_CREATE_MONITORS is off."""


@dataclass
class Locked:
    monitor: Monitor
    created: bool
    # The open incident's id when the lock was taken (loaded in the same query,
    # so the common case, no incident, costs nothing more).
    open_incident_id: int | None


def _query(keys: list[str]) -> QuerySet[Monitor]:
    open_incident = Incident.objects.filter(monitor=OuterRef("pk"), resolved_at__isnull=True).values("pk")[:1]
    return (
        Monitor.objects.select_for_update(of=("self",))
        .filter(key__in=keys)
        .annotate(open_incident_id=Subquery(open_incident))
        .order_by("key")
    )


def _select(keys: list[str]) -> dict[str, Monitor]:
    db = connections[DEFAULT_DB_ALIAS]
    if len(keys) > FEW or db.vendor != "postgresql":
        rows = list(_query(keys))
    else:
        # Compiling the lock query cost more than running it; a single
        # submission (the usual request) runs it as SQL built once, prepared
        # on kept connections (``alertsite.db.hot_sql``, prepared by the PostgreSQL backend).
        q = db.ops.quote_name
        monitor, incident = q(Monitor._meta.db_table), q(Incident._meta.db_table)
        open_incident = (
            f"(SELECT U0.{q('id')} FROM {incident} U0 WHERE U0.{q('monitor_id')} = {monitor}.{q('id')} "  # noqa: S608
            f"AND U0.{q('resolved_at')} IS NULL LIMIT 1)"
        )
        rows = select(
            Monitor,
            f"{monitor}.{q('key')} IN ({', '.join(['%s'] * len(keys))})",
            keys,
            extra=[(open_incident, "open_incident_id")],
            suffix=f"ORDER BY {monitor}.{q('key')} ASC FOR UPDATE OF {monitor}",
        )
    return {m.key: m for m in rows}


def lock_monitors(names: dict[str, str]) -> dict[str, Locked]:
    """Lock the monitors keyed in ``names`` (key -> name for a new monitor),
    creating the missing ones unless AUTO_CREATE_MONITORS is off."""
    keys = sorted(names)
    found = _select(keys)
    created: set[Any] = set()
    missing = [k for k in keys if k not in found]
    if missing:
        if not settings.AUTO_CREATE_MONITORS:
            raise UnknownMonitor(missing[0])
        fresh = [Monitor(key=k, name=names[k] or k) for k in missing]
        # A concurrent request may create the same keys: its rows win and ours
        # are skipped; the ids (made here) tell which rows are ours.
        if chained.supported():
            # Our new rows are ours alone until commit (locked as they are):
            # only the keys another request created need the locking SELECT.
            created = chained.insert_new(fresh)
            for m in fresh:
                if m.pk in created:
                    m.open_incident_id = None  # type: ignore[attr-defined]
                    found[m.key] = m
            missing = [m.key for m in fresh if m.pk not in created]
        else:
            Monitor.objects.bulk_create(fresh, ignore_conflicts=True)
            created = {m.pk for m in fresh}
        if missing:
            found.update(_select(missing))
    _recheck_open_incidents(found)
    # open_incident_id is an extra column of _select's statement.
    return {
        key: Locked(m, m.pk in created, m.open_incident_id)  # type: ignore[attr-defined]
        for key, m in found.items()
    }


def _recheck_open_incidents(found: dict[str, Monitor]) -> None:
    """Look again for the open incident of a monitor whose last applied result
    was an error but which seemed to have none.

    The locking statement reads the incidents with the snapshot it started
    with. When it had to wait for the lock of a transaction that opened an
    incident (a concurrent error, the heartbeat sweep), it gets that
    transaction's monitor row (its last status an error) but not its
    incident. A new statement, run now that the lock is ours, sees it. This is
    rare: after an error the incident is normally found at once.
    """
    unsure = [
        m
        for m in found.values()
        if m.last_status == CheckStatus.ERROR and m.open_incident_id is None  # type: ignore[attr-defined]
    ]
    if not unsure:
        return
    open_ids = dict(
        Incident.objects.filter(monitor__in=unsure, resolved_at__isnull=True)
        .order_by("monitor_id", "pk")
        .values_list("monitor_id", "pk")
    )
    for m in unsure:
        m.open_incident_id = open_ids.get(m.pk)  # type: ignore[attr-defined]
