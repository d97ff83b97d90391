"""Processing one submitted check result, start to finish, in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from alerting.engine import clock, steady
from alerting.engine.coverage import Coverage
from alerting.engine.escalation import Raised, escalate, resolve
from alerting.engine.locking import UnknownMonitor, lock_monitors
from alerting.engine.opening import Opening, new_incident, open_incidents
from alerting.models import Alert, ApiKey, CheckResult, CheckStatus, Incident, Monitor
from alerting.variables import CHECK_FIELDS
from alertsite.db.hot_sql import FEW, insert_one
from alertsite.db.hot_sql import cursor as hot_cursor

__all__ = ["Outcome", "Submission", "UnknownMonitor", "process_batch", "process_submission"]

MAX_RESPONSE_BODY = 1024 * 1024
IGNORED_OUT_OF_ORDER = "older than the monitor's last processed check"
IGNORED_MAINTENANCE = "maintenance: monitoring disabled"
# Submission field -> Monitor field, for the optional monitor data.
MONITOR_FIELDS = {
    "monitor_name": "name",
    "monitor_url": "url",
    "monitor_type": "monitor_type",
    "monitor_notes": "notes",
    "custom_fields": "custom_fields",
}


@dataclass
class Submission:
    monitor: str
    status: str
    timestamp: dt.datetime
    description: str = ""
    check: dict[str, str] = field(default_factory=dict)  # CHECK_FIELDS other than description
    monitor_data: dict[str, Any] = field(default_factory=dict)  # MONITOR_FIELDS keys
    api_key: ApiKey | None = None


@dataclass
class Outcome:
    check_result: CheckResult
    monitor: Monitor
    incident: Incident | None
    alerts: list[Alert]
    ignored: str = ""
    message_ids: list[int] = field(default_factory=list)
    monitor_created: bool = False
    # The incident's state right after this submission: a later one in the
    # same batch may resolve the very same incident object.
    incident_open: bool = field(init=False)
    incident_status: str = field(init=False)

    def __post_init__(self) -> None:
        self.incident_open = self.incident is not None and self.incident.resolved_at is None
        self.incident_status = self.incident.status_at(clock.now()) if self.incident is not None else ""


def apply_monitor_data(monitor: Monitor, data: dict[str, Any]) -> set[str]:
    """Set the submitted monitor data on ``monitor``; return the changed fields."""
    changed = set()
    for source, target in MONITOR_FIELDS.items():
        if source in data and data[source] is not None and getattr(monitor, target) != data[source]:
            setattr(monitor, target, data[source])
            changed.add(target)
    return changed


def new_result(sub: Submission, monitor: Monitor | None, ignored: str) -> CheckResult:
    check = {k: v for k, v in sub.check.items() if k in CHECK_FIELDS and v is not None}
    check["response_body"] = check.get("response_body", "")[:MAX_RESPONSE_BODY]
    return CheckResult(
        monitor=monitor,
        status=sub.status,
        timestamp=sub.timestamp,
        description=sub.description,
        api_key=sub.api_key,
        out_of_order=ignored == IGNORED_OUT_OF_ORDER,
        ignored_reason=ignored,
        **check,
    )


def check_data(result: CheckResult) -> dict[str, str]:
    return {name: getattr(result, name) for name in CHECK_FIELDS}


def process_submission(sub: Submission, now: dt.datetime | None = None) -> Outcome:
    """Store ``sub`` and apply it: incident, alerts and messages, atomically."""
    return process_batch([sub], now)[0]


def process_batch(subs: list[Submission], now: dt.datetime | None = None) -> list[Outcome]:
    """Store and apply ``subs`` in order, all in one transaction; one Outcome each.

    The result is the same as applying them one by one, but the work is done
    set-based: one query locks every monitor, one INSERT stores every check
    result, one UPDATE moves the monitors on, and the first errors of many
    monitors open their incidents together (``opening``). Only a monitor with
    an open incident, or named more than once, is walked item by item.

    The delivery queue hears of the new messages only after the outermost
    transaction commits.
    """
    now = now or clock.now()
    coverage = None
    if len(subs) == 1 and steady.supported() and steady.eligible(subs[0].status, subs[0].monitor_data):
        # The most common submission of all: one statement, no transaction.
        coverage = Coverage(now)
        if not coverage.monitoring_disabled_anywhere(subs[0].timestamp):
            result = new_result(subs[0], None, "")
            monitor = steady.record(result, subs[0].monitor)
            if monitor is not None:
                return [Outcome(result, monitor, None, [])]
    # No savepoint inside a caller's transaction (the API's): a failure here
    # fails the whole request anyway, and a savepoint costs two round trips.
    with transaction.atomic(savepoint=False):
        names: dict[str, str] = {}
        for sub in subs:
            names.setdefault(sub.monitor, str(sub.monitor_data.get("monitor_name") or ""))
        locked = lock_monitors(names)
        monitors = {key: entry.monitor for key, entry in locked.items()}
        coverage = coverage or Coverage(now)

        reasons = _ignored_reasons(subs, monitors, coverage)
        results = [new_result(s, monitors[s.monitor], why) for s, why in zip(subs, reasons, strict=True)]
        if len(results) == 1:
            insert_one(results[0])  # a single submission: the common request
        else:
            CheckResult.objects.bulk_create(results)

        applied = [i for i, why in enumerate(reasons) if not why]
        _move_monitors(subs, applied, monitors)
        outcomes: list[Outcome | None] = [None] * len(subs)
        for i, why in enumerate(reasons):
            if why:
                outcomes[i] = Outcome(results[i], monitors[subs[i].monitor], None, [], ignored=why)

        per_monitor: dict[str, list[int]] = {}
        for i in applied:
            per_monitor.setdefault(subs[i].monitor, []).append(i)
        openings: list[tuple[int, Opening]] = []
        for key, indexes in per_monitor.items():
            monitor, incident_id = monitors[key], locked[key].open_incident_id
            first = indexes[0]
            if len(indexes) == 1 and incident_id is None:
                if subs[first].status == CheckStatus.ERROR:
                    openings.append((first, Opening(monitor, results[first])))
                else:
                    # The common case: an OK and nothing to resolve.
                    outcomes[first] = Outcome(results[first], monitor, None, [])
                continue
            incident = (
                Incident.objects.select_for_update().filter(pk=incident_id, resolved_at__isnull=True).first()
                if incident_id is not None
                else None
            )
            for i in indexes:
                touched, raised = _apply(subs[i], monitor, incident, results[i], now, coverage)
                # After an OK the incident is resolved: the answer names it, the
                # next submission of the same monitor finds none open.
                incident = touched if touched is not None and touched.resolved_at is None else None
                outcomes[i] = Outcome(
                    results[i], monitor, touched, raised.alerts, message_ids=raised.message_ids
                )
        if openings:
            opened = open_incidents([o for _, o in openings], now, coverage)
            for (i, opening), (incident, raised) in zip(openings, opened, strict=True):
                outcomes[i] = Outcome(
                    results[i], opening.monitor, incident, raised.alerts, message_ids=raised.message_ids
                )
        done = [o for o in outcomes if o is not None]
        # The first submission naming a monitor this batch created says so.
        created = {key for key, entry in locked.items() if entry.created}
        for outcome, sub in zip(done, subs, strict=True):
            if sub.monitor in created:
                outcome.monitor_created = True
                created.discard(sub.monitor)
        return done


def _ignored_reasons(subs: list[Submission], monitors: dict[str, Monitor], coverage: Coverage) -> list[str]:
    """Why each submission is stored but ignored ("" when it applies): older
    than the monitor's newest applied one, or during a maintenance period that
    disables monitoring. Decided in order, as one by one would."""
    newest = {key: m.last_check_at for key, m in monitors.items()}
    reasons: list[str] = []
    for sub in subs:
        last = newest[sub.monitor]
        if last is not None and sub.timestamp < last:
            reasons.append(IGNORED_OUT_OF_ORDER)
        elif coverage.monitoring_disabled(monitors[sub.monitor], sub.timestamp):
            reasons.append(IGNORED_MAINTENANCE)
        else:
            reasons.append("")
            newest[sub.monitor] = sub.timestamp
    return reasons


def _move_monitors(subs: list[Submission], applied: list[int], monitors: dict[str, Monitor]) -> None:
    """Apply the monitor data and the newest check of every applied submission,
    in order; write each monitor once (one UPDATE for the usual case of no
    monitor data)."""
    changed: dict[str, set[str]] = {}
    for i in applied:
        sub = subs[i]
        monitor = monitors[sub.monitor]
        fields = changed.setdefault(sub.monitor, set())
        fields |= apply_monitor_data(monitor, sub.monitor_data)
        monitor.last_check_at = sub.timestamp
        monitor.last_status = sub.status
    # Monitors moved to the same check (a batch without timestamps is all
    # "now") share one plain UPDATE; a CASE per monitor only when they differ.
    same: dict[tuple[dt.datetime | None, str], list[object]] = {}
    for key, fields in changed.items():
        if not fields:
            monitor = monitors[key]
            same.setdefault((monitor.last_check_at, monitor.last_status), []).append(monitor.pk)
    if len(same) <= 3:
        for (checked_at, status), ids in same.items():
            _set_last_check(ids, checked_at, status)
    else:
        plain = [monitors[key] for key, fields in changed.items() if not fields]
        Monitor.objects.bulk_update(plain, ["last_check_at", "last_status"])
    for key, fields in changed.items():
        if fields:
            monitors[key].save(update_fields=sorted(fields | {"last_check_at", "last_status"}))


def _set_last_check(ids: list[Any], checked_at: dt.datetime | None, status: str) -> None:
    """``UPDATE monitor SET last_check_at, last_status WHERE id IN ids``,
    written directly: every submission runs it, and building it through the
    ORM cost more CPU than the database spent on it."""
    db = connections[DEFAULT_DB_ALIAS]
    meta = Monitor._meta
    checked, last, pk = meta.get_field("last_check_at"), meta.get_field("last_status"), meta.pk
    params = [
        checked.get_db_prep_save(checked_at, db),
        last.get_db_prep_save(status, db),
        *(pk.get_db_prep_value(i, db) for i in ids),
    ]
    if len(ids) > FEW:
        with db.cursor() as cursor:
            cursor.execute(_last_check_sql(db.ops, len(ids)), params)
        return
    sql = _LAST_CHECK_SQL.get((db.vendor, len(ids)))
    if sql is None:
        sql = _LAST_CHECK_SQL[db.vendor, len(ids)] = _last_check_sql(db.ops, len(ids))
    with hot_cursor() as cursor:
        cursor.execute(sql, params)


_LAST_CHECK_SQL: dict[tuple[str, int], str] = {}


def _last_check_sql(ops: Any, count: int) -> str:
    meta = Monitor._meta
    checked, last = meta.get_field("last_check_at").column, meta.get_field("last_status").column
    return (
        f"UPDATE {ops.quote_name(meta.db_table)} SET {ops.quote_name(checked)} = %s, "  # noqa: S608
        f"{ops.quote_name(last)} = %s WHERE {ops.quote_name(meta.pk.column)} IN ({', '.join(['%s'] * count)})"
    )


def _apply(
    sub: Submission,
    monitor: Monitor,
    incident: Incident | None,
    result: CheckResult,
    now: dt.datetime,
    coverage: Coverage,
) -> tuple[Incident | None, Raised]:
    """One applied submission on a monitor walked item by item: returns the
    incident it concerned (None for an OK with nothing open) and what it raised."""
    if sub.status == CheckStatus.ERROR:
        incident = record_error(incident, monitor, result)
        return incident, escalate(incident, monitor, now, check_result_id=result.pk, coverage=coverage)
    if incident is None:
        return None, Raised()
    raised = resolve(
        incident,
        monitor,
        sub.timestamp,
        now,
        check_result_id=result.pk,
        ok_check=check_data(result),
        coverage=coverage,
    )
    return incident, raised


def record_error(incident: Incident | None, monitor: Monitor, result: CheckResult) -> Incident:
    """The first error after OK opens an incident; later ones extend it."""
    if incident is None:
        incident = new_incident(monitor, result)
        incident.save()
        return incident
    incident.consecutive_errors += 1
    incident.last_error_at = result.timestamp
    incident.last_check_data = check_data(result)
    incident.save(update_fields=["consecutive_errors", "last_error_at", "last_check_data"])
    return incident
