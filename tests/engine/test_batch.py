"""A batch is applied set-based; its effect must equal one-by-one processing."""

from __future__ import annotations

import pytest

from alerting.engine import Submission, process_batch, process_submission
from alerting.models import Alert, CheckResult, Incident, MaintenancePeriod, Monitor
from integrations.models import Message
from tests.engine import factories as f
from tests.engine.timeline import at

pytestmark = pytest.mark.django_db


def script(prefix: str) -> list[Submission]:
    """Mixed work: first errors, a repeated monitor (error, error, OK), an OK
    with nothing open, an out-of-order check, monitor data, a monitor under
    maintenance that disables monitoring."""

    def sub(key: str, status: str, minute: float, **kw: object) -> Submission:
        description = "down" if status == "error" else ""
        return Submission(f"{prefix}{key}", status, at(minute), description, **kw)  # type: ignore[arg-type]

    return [
        sub("one", "error", 1),
        sub("two", "error", 1, monitor_data={"monitor_name": "Two", "custom_fields": {"team": "x"}}),
        sub("rep", "error", 1),
        sub("calm", "ok", 1),
        sub("rep", "error", 2),
        sub("late", "error", 3),
        sub("late", "error", 2),
        sub("rep", "ok", 3),
        sub("paused", "error", 1),
        sub("open", "error", 2),
        sub("open", "ok", 3),
    ]


def summary(prefix: str) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for monitor in Monitor.objects.filter(key__startswith=prefix).order_by("key"):
        key = monitor.key[len(prefix) :]
        rows.append(
            (
                key,
                monitor.name.removeprefix(prefix),
                monitor.custom_fields,
                monitor.last_check_at,
                monitor.last_status,
            )
        )
        for incident in Incident.objects.filter(monitor=monitor).order_by("opened_at"):
            rows.append((key, incident.opened_at, incident.resolved_at, incident.consecutive_errors))
        for alert in Alert.objects.filter(incident__monitor=monitor).order_by("timestamp", "alert_type"):
            messages = Message.objects.filter(alert=alert).count()
            rows.append(
                (
                    key,
                    alert.alert_type,
                    alert.level_number,
                    alert.variables["@monitor.name"].removeprefix(prefix),
                    messages,
                )
            )
        for result in CheckResult.objects.filter(monitor=monitor).order_by("id"):
            rows.append((key, result.status, result.timestamp, result.out_of_order, result.ignored_reason))
    return rows


def test_a_batch_equals_its_items_one_by_one():
    f.silence_default_definition()
    hook = f.webhook("hook")
    f.definition(
        "Ops", [{"threshold": 1, "integrations": [hook]}, {"threshold": 2}], groups=[f.all_monitors()]
    )
    for prefix in ("a-", "b-"):
        paused = f.monitor(f"{prefix}paused")
        MaintenancePeriod.objects.create(
            monitor=paused, maintenance_type="disable_monitoring", start_datetime=at(0), end_datetime=at(10)
        )
        # An incident already open before the batch.
        process_submission(Submission(f"{prefix}open", "error", at(0), "down"), now=at(0))

    one_by_one = [process_submission(s, now=at(4)) for s in script("a-")]
    batched = process_batch(script("b-"), now=at(4))

    assert [(o.ignored, len(o.alerts), o.incident_open) for o in batched] == [
        (o.ignored, len(o.alerts), o.incident_open) for o in one_by_one
    ]
    assert summary("b-") == summary("a-")
    assert Alert.objects.filter(incident__monitor__key__startswith="b-").count() >= 5
