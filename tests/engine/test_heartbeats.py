"""Heartbeat monitors: the minute sweep records an error for a monitor whose
results stopped, once per missed interval, race-safe, and through the engine's
ordinary submission path (incidents, levels, messages, maintenance)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_q.models import Schedule

from alerting.engine import Submission, process_submission
from alerting.engine.heartbeats import (
    MISSING_HEARTBEAT,
    _record_chunk,
    due_monitors,
    record_missing_heartbeats,
)
from alerting.engine.sweep import run_sweep, sweep
from alerting.models import Alert, CheckResult, Incident, MaintenancePeriod, Monitor, PingToken
from integrations.models import IntegrationStep, Message
from integrations.tasks import ESCALATION_SWEEP
from tests.delivery.cluster import Cluster, base_env, wait_for
from tests.delivery.receiver import Receiver
from tests.engine import factories as f
from tests.engine.timeline import T0, at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quiet_default():
    f.silence_default_definition()


def heartbeat(key: str = "cron", interval: int = 300, grace: int = 60) -> Monitor:
    return f.monitor(key, expected_interval_seconds=interval, grace_seconds=grace)


def submit(key: str, status: str, minute: float, description: str = "") -> None:
    process_submission(Submission(key, status, at(minute), description or status), now=at(minute))


def missing(key: str = "cron") -> list[CheckResult]:
    return list(
        CheckResult.objects.filter(monitor__key=key, error_type_id=MISSING_HEARTBEAT).order_by("timestamp")
    )


def test_silence_past_interval_and_grace_records_one_error_that_alerts_and_an_ok_resolves():
    monitor = heartbeat()
    f.definition("Cron", [{"threshold": 1}], monitors=[monitor], integrations=[f.webhook("Hook")])
    submit("cron", "ok", 0)

    # 5 minutes + 60 s grace: not yet at 6:00 minus a second, due from 6:00.
    assert record_missing_heartbeats(at(6) - dt.timedelta(seconds=1)) == []
    outcomes = record_missing_heartbeats(at(6))
    assert [o.monitor.key for o in outcomes] == ["cron"]

    [result] = missing()
    assert result.status == "error" and result.timestamp == at(6)
    assert result.description == "No check result received since 2026-01-05 09:00:00 UTC"
    assert result.failure_message == "A result is expected at least every 300 s (grace 60 s)."
    incident = Incident.objects.get(monitor=monitor, resolved_at__isnull=True)
    assert incident.first_error_id == result.pk
    [alert] = Alert.objects.filter(incident=incident)
    assert (alert.alert_type, alert.level_number, alert.check_result_id) == ("Alert", 1, result.pk)
    assert alert.variables["@alert.description"] == result.description
    assert Message.objects.filter(alert=alert).count() == 1

    # The next OK result resolves it and sends the Ok alert.
    submit("cron", "ok", 7)
    incident.refresh_from_db()
    assert incident.resolved_at == at(7)
    assert sorted(Alert.objects.values_list("alert_type", flat=True)) == ["Alert", "Ok"]


def test_once_per_missed_interval_not_every_minute_so_count_levels_count_missed_intervals():
    monitor = heartbeat(interval=300, grace=60)
    f.definition("Cron", [{"threshold": 1}, {"threshold": 3}], monitors=[monitor])
    submit("cron", "ok", 0)
    for minute in range(1, 20):  # the minute sweep, as the worker runs it
        record_missing_heartbeats(at(minute))
    # Due at 6, then 6 minutes after each recorded error: 6, 12, 18.
    assert [r.timestamp for r in missing()] == [at(6), at(12), at(18)]
    # Each keeps naming the last real result, not the previous missing-heartbeat error.
    assert {r.description for r in missing()} == {"No check result received since 2026-01-05 09:00:00 UTC"}
    incident = Incident.objects.get(monitor=monitor)
    assert incident.consecutive_errors == 3
    fired = Alert.objects.filter(incident=incident).order_by("timestamp")
    assert [(a.level_number, a.timestamp) for a in fired] == [(1, at(6)), (2, at(18))]


def test_duration_level_measures_from_the_first_missing_heartbeat_error():
    monitor = heartbeat(interval=600, grace=0)
    f.definition("Cron", [{"threshold": 1}, {"mode": "error_duration", "threshold": 3}], monitors=[monitor])
    submit("cron", "ok", 0)
    for minute in range(1, 16):
        record_missing_heartbeats(at(minute))
        sweep(at(minute))
    assert [r.timestamp for r in missing()] == [at(10)]
    fired = Alert.objects.order_by("timestamp")
    # Level 2: errors have lasted more than 3 minutes, at the sweep of minute 14.
    assert [(a.level_number, a.timestamp) for a in fired] == [(1, at(10)), (2, at(14))]


def test_a_result_before_the_deadline_keeps_the_monitor_quiet():
    heartbeat(interval=300, grace=60)
    submit("cron", "ok", 0)
    submit("cron", "error", 5, "job failed")  # any result is a sign of life
    record_missing_heartbeats(at(10))
    assert missing() == []
    record_missing_heartbeats(at(11))
    assert len(missing()) == 1


def test_only_active_heartbeat_monitors_that_have_reported_are_watched():
    heartbeat("never-reported")
    heartbeat("inactive")
    f.monitor("plain")  # no expected interval
    submit("inactive", "ok", 0)
    submit("plain", "ok", 0)
    Monitor.objects.filter(key="inactive").update(is_active=False)
    assert due_monitors(at(60)) == []
    assert record_missing_heartbeats(at(60)) == []
    assert not CheckResult.objects.filter(error_type_id=MISSING_HEARTBEAT).exists()


def test_a_stored_but_ignored_result_still_counts_as_a_sign_of_life():
    heartbeat()
    submit("cron", "ok", 10)
    # An older result arriving late is stored (ignored as out of order).
    process_submission(Submission("cron", "ok", at(4), "late"), now=at(15))
    assert CheckResult.objects.filter(out_of_order=True).count() == 1
    record_missing_heartbeats(at(16))
    assert len(missing()) == 1  # newest stored result is still the one of minute 10


def test_maintenance_disabling_notifications_records_but_suppresses():
    monitor = heartbeat()
    f.definition("Cron", [{"threshold": 1}], monitors=[monitor], integrations=[f.webhook("Hook")])
    MaintenancePeriod.objects.create(
        monitor=monitor,
        mode="one_time",
        start_datetime=T0,
        end_datetime=T0 + dt.timedelta(hours=1),
        maintenance_type="disable_notifications",
    )
    submit("cron", "ok", 0)
    record_missing_heartbeats(at(6))
    assert len(missing()) == 1
    [alert] = Alert.objects.all()
    assert alert.suppressed_reason == "maintenance: notifications disabled"
    assert not Message.objects.exists()


def test_maintenance_disabling_monitoring_stores_it_ignored_once_per_interval():
    monitor = heartbeat()
    MaintenancePeriod.objects.create(
        monitor=monitor,
        mode="one_time",
        start_datetime=T0 + dt.timedelta(minutes=1),
        end_datetime=T0 + dt.timedelta(hours=1),
        maintenance_type="disable_monitoring",
    )
    submit("cron", "ok", 0)
    for minute in range(1, 14):
        record_missing_heartbeats(at(minute))
    results = missing()
    assert [r.timestamp for r in results] == [at(6), at(12)]
    assert {r.ignored_reason for r in results} == {"maintenance: monitoring disabled"}
    assert not Incident.objects.exists()


def test_a_second_sweep_that_found_the_monitor_due_records_nothing():
    """Two workers' sweeps at once: both list the monitor as due, the second
    takes the lock after the first committed and sees its error."""
    heartbeat()
    submit("cron", "ok", 0)
    first_list = due_monitors(at(6))
    second_list = due_monitors(at(6))
    assert first_list == second_list != []
    assert len(_record_chunk(first_list, at(6))) == 1
    assert _record_chunk(second_list, at(6)) == []
    # A result that arrived after the listing wins the same way.
    submit("cron", "ok", 13)
    assert _record_chunk(due_monitors(at(12)), at(13)) == []
    assert len(missing()) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_record_one_error():
    """Two threads, each with its own database connection, sweep at the same
    moment (PostgreSQL: row locks; SQLite: one writer at a time)."""
    heartbeat()
    submit("cron", "ok", 0)
    barrier = threading.Barrier(2)
    counts: list[int] = []
    failures: list[BaseException] = []

    def sweeper() -> None:
        try:
            barrier.wait(timeout=10)
            counts.append(len(record_missing_heartbeats(at(6))))
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert sorted(counts) == [0, 1]
    assert len(missing()) == 1
    assert Incident.objects.get().consecutive_errors == 1


def test_run_sweep_hooks_the_heartbeat_check_in():
    heartbeat()
    f.definition("Cron", [{"threshold": 1}], groups=[f.all_monitors()])
    process_submission(
        Submission("cron", "ok", T0.replace(year=2025)), now=T0.replace(year=2025)
    )  # long ago: due at the real now
    first = run_sweep()
    assert first.alerts == 1  # the level-1 alert
    assert first.message_ids == list(Message.objects.values_list("pk", flat=True)) != []
    assert len(missing()) == 1
    assert run_sweep().alerts == 0
    assert len(missing()) == 1


@pytest.mark.django_db(transaction=True)
def test_the_sweep_task_hands_the_engines_messages_to_delivery(monkeypatch):
    """The engine records and hands back ids; the task (not the engine) queues them."""
    from integrations import tasks
    from integrations.delivery import queue

    handed: list[list[int]] = []
    monkeypatch.setattr(queue, "enqueue_messages", lambda ids: handed.append(list(ids)))
    heartbeat()
    f.definition("Cron", [{"threshold": 1}], groups=[f.all_monitors()])
    process_submission(Submission("cron", "ok", T0.replace(year=2025)), now=T0.replace(year=2025))
    assert handed == []  # an OK owes nothing
    assert tasks.escalation_sweep() == 1
    assert handed == [list(Message.objects.values_list("pk", flat=True))]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sweep_alerts_on_silence_and_a_ping_resolves(tmp_path):
    """A real ``manage.py qcluster`` runs the minute sweep: the silent monitor's
    alert reaches a local receiver; an OK ping resolves it and the Ok follows."""
    receiver = Receiver().start()
    cluster = None
    try:
        hook = f.webhook("Receiver")
        IntegrationStep.objects.filter(integration=hook).update(
            url=receiver.url("/hook"),
            body='{"type": "{{@alert.type}}", "description": "{{@JsonEncode({{@alert.description}})}}"}',
        )
        monitor = heartbeat(interval=300, grace=60)
        f.definition("Cron", [{"threshold": 1}], monitors=[monitor], integrations=[hook])
        long_ago = timezone.now() - dt.timedelta(minutes=10)
        process_submission(Submission("cron", "ok", long_ago), now=long_ago)

        cluster = Cluster(base_env(Q_WORKERS="1"), tmp_path / "qcluster.log").start()
        Schedule.objects.filter(name=ESCALATION_SWEEP.name).update(next_run=timezone.now())

        def bodies() -> list[dict]:
            return [r.json() for r in receiver.received]

        assert wait_for(lambda: any(b["type"] == "Alert" for b in bodies()), 90), cluster.log()
        [alert] = [b for b in bodies() if b["type"] == "Alert"]
        assert alert["description"].startswith("No check result received since ")
        assert [r.error_type_id for r in CheckResult.objects.filter(status="error")] == [MISSING_HEARTBEAT]

        ping = PingToken.for_monitor(monitor).url.removeprefix(settings.PUBLIC_BASE_URL)
        assert Client().get(ping).content == b"OK"
        assert Incident.objects.get(monitor=monitor).resolved_at is not None
        assert wait_for(lambda: any(b["type"] == "Ok" for b in bodies()), 60), cluster.log()
    finally:
        if cluster is not None:
            cluster.stop()
        receiver.stop()
