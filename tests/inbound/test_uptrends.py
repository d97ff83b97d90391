"""POST /api/v1/inbound/uptrends: the Uptrends integration's body as a check result."""

from __future__ import annotations

import datetime as dt

import pytest

from alerting.models import Alert, CheckResult, Monitor
from tests.inbound.conftest import payload

pytestmark = pytest.mark.django_db
URL = "/api/v1/inbound/uptrends"
GUID = "849b2046-213d-43ad-9efc-5af1faaeb222"


def post(client, body, **extra):
    return client.post(URL, body, format="json", **extra)


def ok_alert() -> dict:
    body = payload("uptrends")
    body["alert"].update(
        type="Ok", alertGuid="0c8b6f7e-93e2-4a58-8b3e-6f1a2d9c4e10", timestampUtc="2026-11-30T22:30:00"
    )
    return body


def test_alert_then_ok(ingest_client):
    response = post(ingest_client, payload("uptrends"))
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["monitor"] == f"uptrends/{GUID}" and body["incident"]["status"] == "open"
    check = CheckResult.objects.get(pk=body["id"])
    assert check.status == "error" and check.description == "HTTP 503 from https://shop.example"
    assert check.timestamp == dt.datetime(2026, 11, 30, 22, 15, tzinfo=dt.UTC)
    assert (check.checkpoint, check.error_type_id, check.resolved_ip, check.server_ipv4) == (
        "Ghent, Belgium",
        "5407",
        "203.0.113.7",
        "203.0.113.7",
    )
    assert check.check_url == "https://app.uptrends.com/Report/ProbeLog/Check/30833627687"
    assert check.response_body == "<h1>Service Unavailable</h1>"
    monitor = Monitor.objects.get()
    assert (monitor.name, monitor.url, monitor.monitor_type, monitor.notes) == (
        "Shop (HTTPS)",
        "https://shop.example",
        "Https",
        "Ask the web team",
    )
    # Our own variables now carry the Uptrends monitor's data on.
    assert Alert.objects.get().variables["@monitor.name"] == "Shop (HTTPS)"

    closed = post(ingest_client, ok_alert()).json()
    assert closed["incident"] == {"key": body["incident"]["key"], "status": "resolved"}
    ok = CheckResult.objects.get(pk=closed["id"])
    # The Ok alert repeats the error's text; the OK result does not take it.
    assert ok.status == "ok" and ok.description == ""


def test_reminder_is_another_error(ingest_client):
    post(ingest_client, payload("uptrends"))
    reminder = payload("uptrends")
    reminder["alert"].update(type="Reminder", alertGuid="r-1", timestampUtc="2026-11-30T22:20:00")
    answer = post(ingest_client, reminder).json()
    assert answer["incident"]["status"] == "open"
    assert CheckResult.objects.filter(status="error").count() == 2


def test_same_alert_guid_is_recorded_once(ingest_client):
    first = post(ingest_client, payload("uptrends"))
    again = post(ingest_client, payload("uptrends"))
    assert again.json() == first.json()
    assert CheckResult.objects.count() == 1


def test_a_body_rendered_by_our_own_uptrends_preset_is_understood(ingest_client):
    """The Uptrends preset's body, rendered for a real alert here (every
    variable a JSON string, the empty ones ""), comes back in as the same kind
    of result: what an Uptrends account sends has this very shape."""
    import json

    from integrations.presets import get
    from integrations.templating.render import render

    opened = ingest_client.post(
        "/api/v1/alerts", {"monitor": "origin", "status": "error", "description": "HTTP 500"}, format="json"
    ).json()
    alert = Alert.objects.get(guid=opened["alerts"][0]["id"])
    body = json.loads(render(get("uptrends").steps[0]["body"], {**alert.variables, "ApiUrl": "x"}))
    assert body["alert"]["type"] == "Alert" and body["alert"]["serverIpv6"] == ""
    answer = post(ingest_client, body).json()
    origin = Monitor.objects.get(key="origin")
    assert answer["monitor"] == f"uptrends/{origin.pk}"
    check = CheckResult.objects.get(pk=answer["id"])
    assert (check.status, check.description) == ("error", "HTTP 500")
    assert Monitor.objects.get(key=answer["monitor"]).name == "origin"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"alert": None}, "alert"),
        ({"alert": {"type": "Warning"}}, "alert.type"),
        ({"alert": {"type": None}}, "alert.type"),
        ({"alert": {"alertGuid": ""}}, "alert.alertGuid"),
        ({"alert": {"alertGuid": ["g"]}}, "alert.alertGuid"),
        ({"alert": {"description": ""}}, "alert.description"),
        ({"alert": {"description": {"x": 1}}}, "alert.description"),
        ({"alert": {"timestampUtc": "30/11/2026"}}, "alert.timestampUtc"),
        ({"alert": {"timestampUtc": "2999-01-01T00:00:00"}}, "alert.timestampUtc"),
        ({"alert": {"checkpointName": "x" * 201}}, "alert.checkpointName"),
        ({"alert": {"serverIpv4": []}}, "alert.serverIpv4"),
        ({"monitor": "shop"}, "monitor"),
        ({"monitor": {"monitorGuid": ""}}, "monitor.monitorGuid"),
        ({"monitor": {"monitorGuid": "has space"}}, None),
        ({"monitor": {"name": 5}}, None),
        ({"monitor": {"notes": ["a"]}}, "monitor.notes"),
        ({"monitor": {"url": "u" * 2001}}, "monitor.url"),
    ],
)
def test_bad_payload_is_400_with_the_payload_field(ingest_client, change, field):
    body = payload("uptrends")
    for name, value in change.items():
        if isinstance(value, dict):
            body[name].update(value)
        else:
            body[name] = value
    response = post(ingest_client, body)
    if field is None:
        assert response.status_code == 202, response.json()
        return
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"], response.json()
    assert not CheckResult.objects.exists()


@pytest.mark.parametrize("body", [[], "x", {}, {"alert": {}, "monitor": {}}])
def test_not_an_uptrends_payload_is_400(ingest_client, body):
    assert post(ingest_client, body).status_code == 400
