"""POST /api/v1/inbound/uptime-kuma: a heartbeat notification as a check result."""

from __future__ import annotations

import datetime as dt

import pytest

from alerting.models import CheckResult, InboundSource, Monitor
from tests.inbound.conftest import payload

pytestmark = pytest.mark.django_db
URL = "/api/v1/inbound/uptime-kuma"


def post(client, body, **extra):
    return client.post(URL, body, format="json", **extra)


def test_down_then_up(ingest_client):
    down = post(ingest_client, payload("uptime-kuma"))
    assert down.status_code == 202, down.json()
    body = down.json()
    assert set(body) == {"id", "monitor", "incident", "alerts", "ignored"}
    assert body["monitor"] == "uptime-kuma/7" and body["incident"]["status"] == "open"
    check = CheckResult.objects.get(pk=body["id"])
    assert (check.status, check.description) == ("error", "Request failed with status code 503")
    # heartbeat.time is UTC without a zone.
    assert check.timestamp == dt.datetime(2026, 11, 30, 22, 15, 4, 120000, tzinfo=dt.UTC)
    monitor = Monitor.objects.get()
    assert (monitor.name, monitor.url, monitor.monitor_type) == (
        "Shop home page",
        "https://shop.example/",
        "http",
    )

    up = payload("uptime-kuma")
    up["heartbeat"].update(status=1, time="2026-11-30 22:20:04.000", msg="200 - OK")
    answer = post(ingest_client, up).json()
    assert answer["incident"] == {"key": body["incident"]["key"], "status": "resolved"}
    assert [a["type"] for a in answer["alerts"]] == ["Ok"]


def test_same_heartbeat_twice_is_recorded_once(ingest_client):
    first = post(ingest_client, payload("uptime-kuma")).json()
    assert post(ingest_client, payload("uptime-kuma")).json() == first
    assert CheckResult.objects.count() == 1


def test_test_notification_and_pending_record_nothing(ingest_client):
    test = post(ingest_client, {"heartbeat": None, "monitor": None, "msg": "Uptime Kuma Testing"})
    assert test.status_code == 202
    assert test.json()["id"] is None and "test notification" in test.json()["ignored"]
    for status, word in ((2, "pending"), (3, "maintenance")):
        body = payload("uptime-kuma")
        body["heartbeat"]["status"] = status
        answer = post(ingest_client, body).json()
        assert answer["monitor"] == "uptime-kuma/7" and word in answer["ignored"]
    assert not CheckResult.objects.exists() and not Monitor.objects.exists()


def test_key_template_by_name(ingest_client):
    InboundSource.objects.create(format="uptime-kuma", monitor_key_template="kuma/{name}")
    assert post(ingest_client, payload("uptime-kuma")).json()["monitor"] == "kuma/Shop-home-page"


def test_monitor_without_url_uses_the_hostname(ingest_client):
    body = payload("uptime-kuma")
    body["monitor"].update(url="https://", hostname="db.internal", type="port")
    post(ingest_client, body)
    assert Monitor.objects.get().url == "db.internal"


def test_message_falls_back_to_the_top_level_msg(ingest_client):
    body = payload("uptime-kuma")
    body["heartbeat"]["msg"] = ""
    post(ingest_client, body)
    assert CheckResult.objects.get().description.startswith("[Shop home page]")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"heartbeat": "down"}, "heartbeat"),
        ({"heartbeat": {"status": "0"}}, "heartbeat.status"),
        ({"heartbeat": {"status": True}}, "heartbeat.status"),
        ({"heartbeat": {"status": 4}}, "heartbeat.status"),
        ({"heartbeat": {"status": 0, "time": "soon"}}, "heartbeat.time"),
        ({"heartbeat": {"status": 0, "time": ["x"]}}, "heartbeat.time"),
        ({"heartbeat": {"status": 0, "msg": {"a": 1}}}, "heartbeat.msg"),
        ({"monitor": None}, "monitor"),
        ({"monitor": {"name": None}}, "monitor.name"),
        ({"monitor": {"name": ["x"]}}, "monitor.name"),
        ({"monitor": {"id": {"x": 1}}}, "monitor.id"),
        ({"monitor": {"url": "https://" + "u" * 2000}}, None),
        ({"monitor": {"name": "x" * 300, "type": "t" * 101}}, None),
    ],
)
def test_bad_payload_is_400_with_the_payload_field(ingest_client, change, field):
    body = payload("uptime-kuma")
    for name, value in change.items():
        if isinstance(value, dict) and isinstance(body.get(name), dict):
            body[name].update(value)
        else:
            body[name] = value
    response = post(ingest_client, body)
    if field is None:
        # Too long for a monitor's field: cut (a name, a type) or left out (a URL).
        assert response.status_code == 202, response.json()
        monitor = Monitor.objects.get()
        assert len(monitor.name) <= 200 and len(monitor.monitor_type) <= 100 and len(monitor.url) <= 2000
        return
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"], response.json()
    assert not CheckResult.objects.exists()


@pytest.mark.parametrize("body", [[], "x", 5, {"heartbeat": {}}])
def test_not_a_kuma_payload_is_400(ingest_client, body):
    assert post(ingest_client, body).status_code == 400
