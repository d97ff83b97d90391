"""Processing one submitted check result, start to finish, in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

from alerting.engine import clock
from alerting.engine.coverage import monitoring_disabled
from alerting.engine.escalation import Raised, escalate, resolve
from alerting.engine.outbox import enqueue_after_commit
from alerting.models import Alert, ApiKey, CheckResult, CheckStatus, Incident, Monitor
from alerting.models.incidents import new_incident_key
from alerting.variables import CHECK_FIELDS

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


class UnknownMonitor(Exception):
    """The key names no monitor and AUTO_CREATE_MONITORS is off."""


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


def lock_monitor(key: str, name: str) -> tuple[Monitor, bool]:
    monitor = Monitor.objects.select_for_update().filter(key=key).first()
    if monitor is not None:
        return monitor, False
    if not settings.AUTO_CREATE_MONITORS:
        raise UnknownMonitor(key)
    # get_or_create survives a concurrent creation of the same key (it retries
    # the read after the IntegrityError); the lock is taken afterwards.
    _, created = Monitor.objects.get_or_create(key=key, defaults={"name": name or key})
    return Monitor.objects.select_for_update().get(key=key), created


def update_monitor(monitor: Monitor, data: dict[str, Any]) -> None:
    changed = []
    for source, target in MONITOR_FIELDS.items():
        if source in data and data[source] is not None and getattr(monitor, target) != data[source]:
            setattr(monitor, target, data[source])
            changed.append(target)
    if changed:
        monitor.save(update_fields=changed)


def store(sub: Submission, monitor: Monitor) -> CheckResult:
    check = {k: v for k, v in sub.check.items() if k in CHECK_FIELDS and v is not None}
    check["response_body"] = check.get("response_body", "")[:MAX_RESPONSE_BODY]
    return CheckResult.objects.create(
        monitor=monitor,
        status=sub.status,
        timestamp=sub.timestamp,
        description=sub.description,
        api_key=sub.api_key,
        **check,
    )


def check_data(result: CheckResult) -> dict[str, str]:
    return {name: getattr(result, name) for name in CHECK_FIELDS}


def process_submission(sub: Submission, now: dt.datetime | None = None) -> Outcome:
    """Store ``sub`` and apply it: incident, alerts and messages, atomically.

    The delivery queue hears of the new messages only after the outermost
    transaction commits (a batch commits as one).
    """
    now = now or clock.now()
    with transaction.atomic():
        monitor, created = lock_monitor(sub.monitor, str(sub.monitor_data.get("monitor_name") or ""))
        result = store(sub, monitor)
        ignored = ""
        if monitor.last_check_at is not None and sub.timestamp < monitor.last_check_at:
            ignored = IGNORED_OUT_OF_ORDER
        elif monitoring_disabled(monitor, sub.timestamp):
            ignored = IGNORED_MAINTENANCE
        if ignored:
            CheckResult.objects.filter(pk=result.pk).update(
                out_of_order=ignored == IGNORED_OUT_OF_ORDER, ignored_reason=ignored
            )
            result.out_of_order, result.ignored_reason = ignored == IGNORED_OUT_OF_ORDER, ignored
            return Outcome(result, monitor, None, [], ignored=ignored, monitor_created=created)

        update_monitor(monitor, sub.monitor_data)
        monitor.last_check_at = sub.timestamp
        monitor.last_status = sub.status
        monitor.save(update_fields=["last_check_at", "last_status"])

        incident = (
            Incident.objects.select_for_update().filter(monitor=monitor, resolved_at__isnull=True).first()
        )
        raised = Raised()
        if sub.status == CheckStatus.ERROR:
            incident = record_error(incident, monitor, result)
            raised = escalate(incident, monitor, now, check_result_id=result.pk)
        elif incident is not None:
            raised = resolve(
                incident, monitor, sub.timestamp, now, check_result_id=result.pk, ok_check=check_data(result)
            )
        enqueue_after_commit(raised.message_ids)
        return Outcome(
            result, monitor, incident, raised.alerts, message_ids=raised.message_ids, monitor_created=created
        )


def record_error(incident: Incident | None, monitor: Monitor, result: CheckResult) -> Incident:
    """The first error after OK opens an incident; later ones extend it."""
    data = check_data(result)
    if incident is None:
        return Incident.objects.create(
            key=new_incident_key(result.pk),
            monitor=monitor,
            opened_at=result.timestamp,
            first_error=result,
            first_error_description=result.description,
            consecutive_errors=1,
            last_error_at=result.timestamp,
            last_check_data=data,
        )
    incident.consecutive_errors += 1
    incident.last_error_at = result.timestamp
    incident.last_check_data = data
    incident.save(update_fields=["consecutive_errors", "last_error_at", "last_check_data"])
    return incident
