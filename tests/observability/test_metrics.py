"""``GET /metrics`` in process: access, the text format, and each figure
against rows written here (the worker-driven cycle is in test_service_run)."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from django.test import Client
from django.utils import timezone

from alerting.models import AlertType, CheckResult, Incident, MetricTally, Monitor
from alertsite.observability import tallies
from integrations.delivery.heartbeat import record as beat
from integrations.models import Integration, Message, MessageAttempt, MessageStatus
from tests.delivery import factories
from tests.observability.scrape import parse, value

TOKEN = "metrics-token-for-tests-0b7c"


@pytest.fixture
def scrape(db, settings):  # type: ignore[no-untyped-def]
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_SETTLE_SECONDS = 0
    client = Client()

    def get():  # type: ignore[no-untyped-def]
        answer = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert answer.status_code == 200
        assert answer["Content-Type"].startswith("text/plain; version=0.0.4")
        return parse(answer.content.decode())

    return get


def test_not_exposed_without_a_token_setting(db, settings) -> None:
    settings.METRICS_TOKEN = ""
    answer = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer anything")
    assert answer.status_code == 404
    assert b"alertsite_" not in answer.content


@pytest.mark.parametrize(
    "header", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Token {TOKEN}", "Bearer", f"Bearer {TOKEN}x"]
)
def test_401_without_the_right_bearer_token(db, settings, header) -> None:
    settings.METRICS_TOKEN = TOKEN
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    answer = Client().get("/metrics", **extra)
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"].startswith("Bearer")
    assert b"alertsite_" not in answer.content


def test_every_metric_is_typed_documented_and_zero_on_an_empty_hub(scrape) -> None:
    samples = scrape()  # parse() checks types and HELP
    assert value(samples, "alertsite_check_results_total", status="error") == 0
    assert value(samples, "alertsite_alerts_total", type="Alert") == 0
    assert value(samples, "alertsite_messages", status="pending", kind="webhook") == 0
    assert value(samples, "alertsite_delivery_attempts_total", kind="webhook", outcome="delivered") == 0
    assert value(samples, "alertsite_delivery_latency_seconds_count") == 0
    assert value(samples, "alertsite_oldest_due_message_seconds") == 0
    assert value(samples, "alertsite_integrations_paused") == 0
    assert value(samples, "alertsite_incidents", status="open") == 0
    assert math.isinf(value(samples, "alertsite_worker_last_seen_seconds"))


def results(monitor: Monitor, *statuses: str) -> None:
    now = timezone.now()
    CheckResult.objects.bulk_create([CheckResult(monitor=monitor, status=s, timestamp=now) for s in statuses])


def test_counters_count_each_row_once_and_never_go_down(scrape, settings) -> None:
    monitor = Monitor.objects.create(key="m", name="M")
    results(monitor, "error", "error", "ok")
    scrape()  # observes the new range
    samples = scrape()  # counts it (settled: no delay set)
    assert value(samples, "alertsite_check_results_total", status="error") == 2
    assert value(samples, "alertsite_check_results_total", status="ok") == 1
    for _ in range(3):  # scraping again adds nothing
        assert value(scrape(), "alertsite_check_results_total", status="error") == 2
    # Retention deletes old rows: a counter must not go down.
    CheckResult.objects.all().delete()
    results(monitor, "ok")
    scrape()
    samples = scrape()
    assert value(samples, "alertsite_check_results_total", status="error") == 2
    assert value(samples, "alertsite_check_results_total", status="ok") == 2


def test_a_range_is_counted_only_once_it_has_settled(scrape, settings) -> None:
    settings.METRICS_SETTLE_SECONDS = 3600
    monitor = Monitor.objects.create(key="m", name="M")
    results(monitor, "error")
    scrape()
    assert value(scrape(), "alertsite_check_results_total", status="error") == 0
    MetricTally.objects.filter(source="check_results").update(
        observed_at=timezone.now() - dt.timedelta(hours=2)
    )
    assert value(scrape(), "alertsite_check_results_total", status="error") == 1


def test_a_backlog_is_read_in_bounded_slices(scrape, monkeypatch) -> None:
    monkeypatch.setattr(tallies, "MAX_ROWS_PER_SCRAPE", 2)
    monitor = Monitor.objects.create(key="m", name="M")
    # Ids far from the last counted one: the slices start at the first new row.
    CheckResult.objects.create(pk=10_000, monitor=monitor, status="ok", timestamp=timezone.now())
    CheckResult.objects.filter(pk=10_000).delete()
    results(monitor, *["error"] * 5)
    seen = [value(scrape(), "alertsite_check_results_total", status="error") for _ in range(5)]
    assert seen == [0, 2, 4, 5, 5]


def test_outbox_latency_incidents_pause_and_worker(scrape) -> None:
    hook = factories.webhook("http://127.0.0.1:9/hook")
    now = timezone.now()
    alert = factories.alert(AlertType.ALERT)
    due = factories.messages(hook, 2, for_alert=alert, due=now - dt.timedelta(seconds=40))
    done = factories.messages(hook, 3, for_alert=alert)
    # Delivered 0.3 s, 4 s and 20 s after being raised.
    for message, took in zip(done, (0.3, 4, 20), strict=True):
        Message.objects.filter(pk=message.pk).update(
            status=MessageStatus.DELIVERED, delivered_at=message.created_at + dt.timedelta(seconds=took)
        )
        MessageAttempt.objects.create(message=message, number=1, started_at=now, outcome="delivered")
    MessageAttempt.objects.create(message=due[0], number=1, started_at=now, outcome="pending")
    Integration.objects.filter(pk=hook.pk).update(paused_until=now + dt.timedelta(minutes=5))
    Incident.objects.filter(pk=alert.incident_id).update(acknowledged_at=now, acknowledged_by="Dana")
    other = Monitor.objects.create(key="open", name="Open")
    Incident.objects.create(key="open-1", monitor=other, opened_at=now)
    beat(now - dt.timedelta(seconds=7))
    scrape()
    samples = scrape()
    assert value(samples, "alertsite_messages", status="pending", kind="webhook") == 2
    assert value(samples, "alertsite_messages", status="delivered", kind="webhook") == 3
    assert value(samples, "alertsite_delivery_attempts_total", kind="webhook", outcome="delivered") == 3
    assert value(samples, "alertsite_delivery_attempts_total", kind="webhook", outcome="pending") == 1
    assert value(samples, "alertsite_delivery_latency_seconds_bucket", le="0.5") == 1
    assert value(samples, "alertsite_delivery_latency_seconds_bucket", le="5.0") == 2
    assert value(samples, "alertsite_delivery_latency_seconds_bucket", le="10.0") == 2
    assert value(samples, "alertsite_delivery_latency_seconds_bucket", le="30.0") == 3
    assert value(samples, "alertsite_delivery_latency_seconds_bucket", le="+Inf") == 3
    assert value(samples, "alertsite_delivery_latency_seconds_count") == 3
    assert value(samples, "alertsite_delivery_latency_seconds_sum") == pytest.approx(24.3, abs=0.01)
    assert value(samples, "alertsite_oldest_due_message_seconds") >= 40
    assert value(samples, "alertsite_integrations_paused") == 1
    assert value(samples, "alertsite_incidents", status="acknowledged") == 1
    assert value(samples, "alertsite_incidents", status="open") == 1
    assert 7 <= value(samples, "alertsite_worker_last_seen_seconds") < 60
    assert value(samples, "alertsite_alerts_total", type="Alert") == 1
