"""GET /api/v1/incidents, /api/v1/incidents/{key}, /api/v1/alerts."""

from __future__ import annotations

import pytest

from alerting.engine import Submission, clock, process_submission
from alerting.models import Alert
from integrations.models import Message
from tests.engine import factories as f
from tests.engine.timeline import at

pytestmark = pytest.mark.django_db


def submit(monitor: str, status: str, minute: float) -> None:
    with clock.frozen(at(minute)):
        process_submission(Submission(monitor, status, at(minute), "down" if status == "error" else ""))


@pytest.fixture
def history(db):
    """web: resolved incident (Alert + Ok); api: open incident (Alert)."""
    f.operator("Ann")  # the default definition e-mails Everyone
    submit("web", "error", 0)
    submit("web", "ok", 5)
    submit("api", "error", 10)


def test_incident_list_filters_and_pages(read_client, history):
    body = read_client.get("/api/v1/incidents").json()
    assert body["count"] == 2
    assert [i["monitor"] for i in body["results"]] == ["api", "web"]
    assert {i["status"] for i in body["results"]} == {"open", "resolved"}
    open_only = read_client.get("/api/v1/incidents?status=open").json()
    assert [i["monitor"] for i in open_only["results"]] == ["api"]
    resolved = read_client.get("/api/v1/incidents?status=resolved&monitor=web").json()
    assert resolved["count"] == 1 and resolved["results"][0]["resolved_at"]
    assert read_client.get("/api/v1/incidents?monitor=nobody").json()["count"] == 0
    page = read_client.get("/api/v1/incidents?page_size=1&page=2").json()
    assert page["count"] == 2 and [i["monitor"] for i in page["results"]] == ["web"] and page["previous"]


def test_incident_list_bad_filter_is_400_and_bad_page_404(read_client, history):
    response = read_client.get("/api/v1/incidents?status=closed")
    assert response.status_code == 400
    assert "status" in response.json()["errors"]
    assert read_client.get("/api/v1/incidents?page=9").status_code == 404
    assert read_client.get("/api/v1/incidents?page=x").status_code == 404


def test_incident_detail_has_alerts_with_messages_and_statuses(read_client, history):
    key = read_client.get("/api/v1/incidents?monitor=web").json()["results"][0]["key"]
    response = read_client.get(f"/api/v1/incidents/{key}")
    assert response.status_code == 200
    body = response.json()
    assert body["key"] == key and body["status"] == "resolved"
    assert [a["type"] for a in body["alerts"]] == ["Alert", "Ok"]
    alert = body["alerts"][0]
    assert alert["variables"]["@incident.key"] == key
    [message] = alert["messages"]
    assert message["integration_kind"] == "email"
    assert message["recipient"] == "ann@example.com"
    assert message["status"] == "pending"
    ok_message = Message.objects.get(alert__alert_type="Ok")
    assert ok_message.depends_on_id == message["id"]


def test_incident_detail_unknown_key_is_404(read_client, db):
    response = read_client.get("/api/v1/incidents/no-such-key")
    assert response.status_code == 404
    assert response.json()["errors"]["detail"]


def test_alert_history_filters(read_client, history):
    everything = read_client.get("/api/v1/alerts").json()
    assert [(a["monitor"], a["type"]) for a in everything["results"]] == [
        ("api", "Alert"),
        ("web", "Ok"),
        ("web", "Alert"),
    ]
    first = everything["results"][-1]
    assert set(first) >= {"id", "type", "timestamp", "incident", "alert_definition", "escalation_level"}
    assert read_client.get("/api/v1/alerts?type=Ok").json()["count"] == 1
    assert read_client.get("/api/v1/alerts?monitor=web").json()["count"] == 2
    since = read_client.get("/api/v1/alerts", {"since": "2026-01-05T09:05:00Z"}).json()
    assert [a["type"] for a in since["results"]] == ["Alert", "Ok"]
    until = read_client.get("/api/v1/alerts", {"until": "2026-01-05T09:05:00+00:00"}).json()
    assert [a["type"] for a in until["results"]] == ["Alert"]
    assert Alert.objects.count() == 3


@pytest.mark.parametrize("query", ["type=Error", "since=yesterday", "until=2026-01-05T09:00:00"])
def test_alert_history_bad_filters_are_400(read_client, query):
    response = read_client.get(f"/api/v1/alerts?{query}")
    assert response.status_code == 400
    assert response.json()["errors"]


def test_read_side_needs_read_scope(ingest_client, admin_client_api, db):
    for path in ("/api/v1/incidents", "/api/v1/alerts", "/api/v1/incidents/x"):
        assert ingest_client.get(path).status_code == 403
    assert admin_client_api.get("/api/v1/incidents").status_code == 200
