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


def test_first_errors_of_a_batch_answer_with_the_rows_written():
    """Opening many incidents at once (one statement on PostgreSQL): every
    returned incident, alert and message id is the row of that monitor,
    level and alert."""
    f.silence_default_definition()
    ann, bob = f.operator("Ann"), f.operator("Bob")
    email = f.builtin("email")
    f.definition(
        "Ops",
        [
            {"threshold": 1, "integrations": [f.webhook("a"), f.webhook("b")]},
            {"threshold": 1, "integrations": [email], "operators": [ann, bob]},
            {"threshold": 2, "integrations": [f.webhook("later")]},
        ],
        groups=[f.all_monitors()],
    )
    subs = [Submission(f"m{i}", "error", at(1), f"down {i}") for i in range(5)]
    subs.append(Submission("calm", "ok", at(1)))
    outcomes = process_batch(subs, now=at(1))

    for sub, outcome in zip(subs[:5], outcomes, strict=False):
        incident = Incident.objects.get(pk=outcome.incident.pk)
        assert incident.monitor.key == sub.monitor
        assert incident.first_error_description == sub.description
        assert sorted(a.level_number for a in outcome.alerts) == [1, 2]
        for alert in outcome.alerts:
            row = Alert.objects.get(pk=alert.pk)
            assert (row.incident_id, row.level_id, row.guid) == (incident.pk, alert.level_id, alert.guid)
            assert row.variables["@alert.description"] == sub.description
        messages = Message.objects.filter(alert__incident=incident)
        assert sorted(outcome.message_ids) == sorted(m.pk for m in messages)
        assert sorted((m.alert.level_number, m.recipient) for m in messages) == [
            (1, ""),
            (1, ""),
            (2, "ann@example.com"),
            (2, "bob@example.com"),
        ]
        assert incident.escalations.count() == 2
    assert outcomes[5].incident is None and outcomes[5].message_ids == []
