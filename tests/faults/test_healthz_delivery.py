"""/healthz stays the web liveness check; /healthz/delivery says whether
alerts get out (alertsite.health): 503 naming each failing check, 200 with
the figures otherwise."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.delivery import heartbeat
from tests.delivery import factories

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def delivery(client) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    response = client.get("/healthz/delivery")
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def test_all_well_is_200_with_the_figures(client, settings) -> None:
    heartbeat.record(timezone.now() - timedelta(seconds=3))
    integration = factories.webhook("http://127.0.0.1:9/hook")
    factories.messages(integration, 1, due=timezone.now() - timedelta(seconds=20))
    status, body = delivery(client)
    assert status == 200, body
    assert body["status"] == "ok" and body["failing"] == []
    checks = body["checks"]
    assert checks["worker"]["ok"] and 3 <= checks["worker"]["last_seen_seconds"] < 60
    assert checks["worker"]["max_age_seconds"] == 120
    assert checks["broker"] == {"ok": True, "kind": "redis" if settings.Q_CLUSTER.get("redis") else "orm"}
    assert checks["delivery_lag"]["ok"] and 20 <= checks["delivery_lag"]["oldest_due_message_seconds"] < 60
    assert checks["delivery_lag"]["max_seconds"] == 300
    assert set(checks) == {"worker", "broker", "delivery_lag"}


def test_no_worker_ever_seen_is_503(client) -> None:
    heartbeat.forget()
    status, body = delivery(client)
    assert status == 503
    assert body["status"] == "failing" and body["failing"] == ["worker"]
    assert body["checks"]["worker"]["last_seen_seconds"] is None
    assert client.get("/healthz").status_code == 200  # the web process itself is fine


def test_a_worker_not_seen_for_longer_than_the_setting_is_503(client, settings) -> None:
    settings.HEALTHZ_WORKER_MAX_AGE = 30
    heartbeat.record(timezone.now() - timedelta(seconds=31))
    status, body = delivery(client)
    assert status == 503 and body["failing"] == ["worker"]
    assert body["checks"]["worker"]["last_seen_seconds"] >= 31
    heartbeat.record(timezone.now() - timedelta(seconds=29))
    assert delivery(client)[0] == 200


def test_an_old_due_message_is_503(client) -> None:
    heartbeat.record(timezone.now())
    integration = factories.webhook("http://127.0.0.1:9/hook")
    factories.messages(integration, 1, due=timezone.now() - timedelta(seconds=490))
    # A message not yet due (a retry later) and a delivered one do not count.
    factories.messages(integration, 1, due=timezone.now() + timedelta(hours=1))
    factories.messages(integration, 1, due=timezone.now() - timedelta(hours=2), status="delivered")
    status, body = delivery(client)
    assert status == 503 and body["failing"] == ["delivery_lag"]
    assert 490 <= body["checks"]["delivery_lag"]["oldest_due_message_seconds"] < 550
    assert client.get("/healthz").status_code == 200


def test_an_unreachable_redis_broker_is_503_without_its_address(client, settings) -> None:
    heartbeat.record(timezone.now())
    port = free_port()  # nothing listens there: connection refused, as when Redis was killed
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "redis": f"redis://:secret-pw@127.0.0.1:{port}/0"}
    status, body = delivery(client)
    assert status == 503 and body["failing"] == ["broker"]
    broker = body["checks"]["broker"]
    assert broker["kind"] == "redis" and broker["error"].startswith("unreachable")
    assert str(port) not in broker["error"] and "secret-pw" not in str(body)


def test_every_failing_check_is_named(client, settings) -> None:
    heartbeat.forget()
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "redis": f"redis://127.0.0.1:{free_port()}/0"}
    integration = factories.webhook("http://127.0.0.1:9/hook")
    factories.messages(integration, 1, due=timezone.now() - timedelta(seconds=301))
    status, body = delivery(client)
    assert status == 503
    assert body["failing"] == ["worker", "broker", "delivery_lag"]
