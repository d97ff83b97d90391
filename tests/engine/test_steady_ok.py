"""The steady OK (alerting.engine.steady): on PostgreSQL an OK for a known
monitor with nothing open is written by one statement outside any
transaction; everything else falls through to the general path with the
same outcome as before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from alerting.engine import steady
from alerting.engine.submissions import IGNORED_MAINTENANCE, IGNORED_OUT_OF_ORDER, Submission, process_batch
from alerting.models import ApiKey, CheckResult, Incident, MaintenancePeriod, Monitor

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client() -> APIClient:
    _, key = ApiKey.generate("steady", "ingest")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return api


def ok(client: APIClient, key: str = "web", **extra: object) -> dict:
    response = client.post("/api/v1/alerts", {"monitor": key, "status": "ok", **extra}, format="json")
    assert response.status_code == 202, response.content
    return response.json()


def writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if "alerting_monitor" in q["sql"] or "alerting_checkresult" in q["sql"]
    ]


def test_a_steady_ok_is_one_statement_outside_a_transaction(client):
    ok(client)  # creates the monitor: the general path
    monitor = Monitor.objects.get(key="web")
    with CaptureQueriesContext(connection) as queries:
        body = ok(client)
    sql = [q["sql"] for q in queries.captured_queries]
    result = CheckResult.objects.get(pk=body["id"])
    assert result.monitor_id == monitor.pk and result.status == "ok" and not result.ignored_reason
    assert result.received_at is not None
    monitor.refresh_from_db()
    assert monitor.last_check_at == result.timestamp and monitor.last_status == "ok"
    assert body["monitor"] == "web" and body["incident"] is None and body["alerts"] == []
    if steady.supported():
        assert len(writes(queries)) == 1, sql
        assert writes(queries)[0].startswith("WITH m AS (UPDATE"), sql
        assert not any(s.upper().startswith(("BEGIN", "SAVEPOINT", "COMMIT")) for s in sql), sql
    else:
        assert len(writes(queries)) == 3, sql  # the lock, the INSERT, the UPDATE


def test_check_data_is_stored_as_the_general_path_stores_it(client):
    ok(client)
    body = ok(client, description="fine", checkpoint="Amsterdam", response_body="x" * 10)
    result = CheckResult.objects.get(pk=body["id"])
    assert (result.description, result.checkpoint, result.response_body) == ("fine", "Amsterdam", "x" * 10)
    assert result.api_key is not None and result.api_key.name == "steady"


def test_an_ok_resolves_an_open_incident(client):
    ok(client)
    opened = client.post(
        "/api/v1/alerts", {"monitor": "web", "status": "error", "description": "down"}, format="json"
    ).json()
    assert opened["incident"]["status"] == "open"
    body = ok(client)
    assert body["incident"] == {"key": opened["incident"]["key"], "status": "resolved"}
    assert Incident.objects.get(key=opened["incident"]["key"]).resolved_at is not None
    assert Monitor.objects.get(key="web").last_status == "ok"


def test_an_unknown_monitor_is_created(client):
    body = ok(client, key="new-one")
    assert Monitor.objects.get(key="new-one").pk == CheckResult.objects.get(pk=body["id"]).monitor_id


def test_an_older_ok_is_stored_and_ignored(client):
    now = timezone.now()
    ok(client, timestamp=now.isoformat())
    body = ok(client, timestamp=(now - dt.timedelta(minutes=5)).isoformat())
    assert body["ignored"] == IGNORED_OUT_OF_ORDER
    assert CheckResult.objects.get(pk=body["id"]).out_of_order
    assert Monitor.objects.get(key="web").last_check_at == now


def test_an_ok_during_maintenance_that_disables_monitoring_is_ignored(client):
    ok(client)
    monitor = Monitor.objects.get(key="web")
    before = monitor.last_check_at
    now = timezone.now()
    MaintenancePeriod.objects.create(
        monitor=monitor,
        maintenance_type="disable_monitoring",
        mode="one_time",
        start_datetime=now - dt.timedelta(minutes=5),
        end_datetime=now + dt.timedelta(hours=1),
    )
    body = ok(client)
    assert body["ignored"] == IGNORED_MAINTENANCE
    assert Monitor.objects.get(key="web").last_check_at == before
    # Another monitor is not in maintenance: its OK applies.
    ok(client, key="other")
    assert not ok(client, key="other")["ignored"]


def test_monitor_data_is_applied(client):
    ok(client)
    ok(client, monitor_name="The web site", monitor_url="https://example.com/")
    monitor = Monitor.objects.get(key="web")
    assert (monitor.name, monitor.url) == ("The web site", "https://example.com/")


def test_the_engine_answers_alike_when_called_directly():
    process_batch([Submission(monitor="svc", status="ok", timestamp=timezone.now())])
    outcome = process_batch([Submission(monitor="svc", status="ok", timestamp=timezone.now())])[0]
    assert outcome.monitor.key == "svc" and outcome.monitor.pk == Monitor.objects.get(key="svc").pk
    assert outcome.check_result.pk is not None and outcome.incident is None and outcome.alerts == []
    assert not outcome.monitor_created and outcome.ignored == ""
