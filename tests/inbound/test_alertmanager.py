"""POST /api/v1/inbound/alertmanager and /grafana: the alert list as check results."""

from __future__ import annotations

import datetime as dt

import pytest

from alerting.models import Alert, CheckResult, InboundSource, Incident, Monitor
from tests.api.conftest import client_for
from tests.inbound.conftest import payload

pytestmark = pytest.mark.django_db
URL = "/api/v1/inbound/alertmanager"
GRAFANA = "/api/v1/inbound/grafana"


def post(client, body, url=URL, **extra):
    return client.post(url, body, format="json", **extra)


def test_firing_and_resolved_alerts_become_results_in_order(ingest_client):
    response = post(ingest_client, payload("alertmanager"))
    assert response.status_code == 202, response.json()
    firing, resolved = response.json()["results"]
    assert firing["monitor"] == "DiskFull/db-1:9100"
    assert firing["incident"]["status"] == "open"
    assert [a["type"] for a in firing["alerts"]] == ["Alert"]
    assert resolved["monitor"] == "DiskFull/db-2:9100"
    assert resolved["incident"] is None and resolved["alerts"] == []

    error = CheckResult.objects.get(pk=firing["id"])
    assert error.status == "error"
    # The summary annotation first; startsAt (nanoseconds cut to microseconds).
    assert error.description == "db-1: /var is 97% full"
    assert error.timestamp == dt.datetime(2026, 11, 30, 22, 15, 4, 512839, tzinfo=dt.UTC)
    assert error.check_url == "http://prometheus.example:9090/graph?g0.expr=node_filesystem_avail_bytes"
    ok = CheckResult.objects.get(pk=resolved["id"])
    # A resolved alert is an OK at endsAt.
    assert (ok.status, ok.timestamp) == ("ok", dt.datetime(2026, 11, 30, 21, 10, tzinfo=dt.UTC))

    monitor = Monitor.objects.get(key="DiskFull/db-1:9100")
    assert monitor.name == "DiskFull/db-1:9100"
    assert monitor.custom_fields == {
        "alertname": "DiskFull",
        "instance": "db-1:9100",
        "job": "node",
        "severity": "page",
    }
    assert Alert.objects.get().variables["@CustomField(severity)"] == "page"


def test_resolve_resolves_the_incident(ingest_client):
    body = payload("alertmanager")
    body["alerts"] = body["alerts"][:1]
    opened = post(ingest_client, body).json()["results"][0]
    body["alerts"][0].update(status="resolved", endsAt="2026-11-30T22:40:00Z")
    closed = post(ingest_client, body).json()["results"][0]
    assert closed["incident"] == {"key": opened["incident"]["key"], "status": "resolved"}
    assert [a["type"] for a in closed["alerts"]] == ["Ok"]
    assert Incident.objects.get().resolved_at == dt.datetime(2026, 11, 30, 22, 40, tzinfo=dt.UTC)


def test_description_falls_back_to_description_then_alertname(ingest_client):
    body = payload("alertmanager")
    first, second = body["alerts"]
    second.update(status="firing", endsAt="0001-01-01T00:00:00Z")
    first["annotations"] = {"description": "from the description"}
    second["annotations"] = {}
    results = post(ingest_client, body).json()["results"]
    assert [CheckResult.objects.get(pk=r["id"]).description for r in results] == [
        "from the description",
        "DiskFull",
    ]


def test_monitor_name_label_names_the_monitor(ingest_client):
    body = payload("alertmanager")
    body["alerts"][0]["labels"]["monitor_name"] = "Database disk"
    post(ingest_client, body)
    assert Monitor.objects.get(key="DiskFull/db-1:9100").name == "Database disk"


def test_missing_instance_keys_by_alertname_alone(ingest_client):
    body = payload("alertmanager")
    del body["alerts"][0]["labels"]["instance"]
    assert post(ingest_client, body).json()["results"][0]["monitor"] == "DiskFull"


def test_key_template_set_on_the_source(ingest_client):
    InboundSource.objects.create(format="alertmanager", monitor_key_template="{job}:{alertname}@{instance}")
    results = post(ingest_client, payload("alertmanager")).json()["results"]
    assert [r["monitor"] for r in results] == ["node:DiskFull@db-1:9100", "node:DiskFull@db-2:9100"]


def test_repeated_notification_is_idempotent_on_fingerprint_status_and_start(ingest_client):
    body = payload("alertmanager")
    body["alerts"] = body["alerts"][:1]
    first = post(ingest_client, body).json()
    # Alertmanager sends the same firing alert again (repeat_interval, a
    # group change): the first answer again, no second error counted.
    again = post(ingest_client, body).json()
    assert again == first
    assert CheckResult.objects.count() == 1
    assert Incident.objects.get().consecutive_errors == 1
    # A new firing of the same alert (a new startsAt) is a new error.
    body["alerts"][0]["startsAt"] = "2026-11-30T23:00:00Z"
    assert post(ingest_client, body).json()["results"][0]["id"] != first["results"][0]["id"]
    assert CheckResult.objects.count() == 2


def test_idempotency_is_per_sender_key_not_shared(ingest_client):
    body = payload("alertmanager")
    post(ingest_client, body)
    post(client_for("ingest"), body)
    assert CheckResult.objects.count() == 4


def test_request_idempotency_key_header_replays(ingest_client):
    body = payload("alertmanager")
    first = post(ingest_client, body, HTTP_IDEMPOTENCY_KEY="am-1")
    again = post(ingest_client, body, HTTP_IDEMPOTENCY_KEY="am-1")
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()


@pytest.mark.parametrize(
    ("change", "field", "needle"),
    [
        ({"status": "pending"}, "status", '"firing" or "resolved"'),
        ({"status": None}, "status", '"firing" or "resolved"'),
        ({"labels": None}, "labels", "required"),
        ({"labels": ["alertname"]}, "labels", "object"),
        ({"labels": {"alertname": 5}}, "labels", "strings"),
        ({"labels": {"job": "node"}}, "labels", "template"),
        ({"labels": {"alertname": "has spaces", "instance": "x"}}, "status", None),
        ({"annotations": "text"}, "annotations", "object"),
        ({"startsAt": 1767225600}, "startsAt", "ISO 8601"),
        ({"endsAt": 1767225600}, "endsAt", "ISO 8601"),
        ({"startsAt": "yesterday"}, "startsAt", "ISO 8601"),
        ({"startsAt": "2026-11-30T22:15:04"}, "startsAt", "time zone"),
        ({"startsAt": "2999-01-01T00:00:00Z"}, "startsAt", "future"),
        ({"fingerprint": {"a": 1}}, "fingerprint", "string"),
        ({"generatorURL": ["x"]}, "generatorURL", "string"),
    ],
)
def test_bad_alert_is_400_keyed_by_index_and_nothing_is_recorded(ingest_client, change, field, needle):
    body = payload("alertmanager")
    body["alerts"][1].update(change)
    response = post(ingest_client, body)
    if needle is None:
        # Characters a key cannot hold become dashes: accepted.
        assert response.status_code == 202
        assert response.json()["results"][1]["monitor"] == "has-spaces/x"
        return
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert set(errors) == {"1"}, errors
    assert any(needle in m for m in errors["1"][field]), errors
    # All or nothing: the valid first alert is not recorded either.
    assert not CheckResult.objects.exists() and not Monitor.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "detail"),
        ("alerts", "detail"),
        ({"version": "4"}, "alerts"),
        ({"version": "4", "alerts": {}}, "alerts"),
        ({"version": "4", "alerts": []}, "alerts"),
        ({"version": "3", "alerts": [{}]}, "version"),
        ({"version": "4", "alerts": ["x"]}, "0"),
        ({"version": "4", "alerts": [None, 5]}, "1"),
    ],
)
def test_bad_payload_is_400_never_500(ingest_client, body, field):
    response = post(ingest_client, body)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_more_alerts_than_a_batch_take_is_refused_with_the_setting_to_use(ingest_client):
    body = payload("alertmanager")
    body["alerts"] = body["alerts"][:1] * 1001
    response = post(ingest_client, body)
    assert response.status_code == 400
    assert "max_alerts: 1000" in response.json()["errors"]["alerts"][0]


def test_scope_and_key_are_required(db):
    from rest_framework.test import APIClient

    assert APIClient().post(URL, payload("alertmanager"), format="json").status_code == 401
    for scope in ("ingest", "read", "respond", "admin"):
        assert post(client_for(scope), payload("alertmanager")).status_code == 202


def test_not_json_is_415(ingest_client):
    response = ingest_client.post(URL, "alerts=1", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


def test_grafana_payload_with_its_own_fields(ingest_client):
    response = post(ingest_client, payload("grafana"), GRAFANA)
    assert response.status_code == 202, response.json()
    [result] = response.json()["results"]
    # Spaces in Grafana's alert names become dashes in the key; the name keeps them.
    assert result["monitor"] == "High-latency"
    check = CheckResult.objects.get(pk=result["id"])
    assert check.description == "p99 latency above 2 s"
    assert check.failure_message == "B=2.71, C=1"
    assert check.check_url == "https://grafana.example/alerting/grafana/abc123/view"
    assert check.timestamp == dt.datetime(2026, 11, 30, 21, 0, 0, 250000, tzinfo=dt.UTC)
    monitor = Monitor.objects.get()
    assert monitor.url == "https://grafana.example/d/shop"
    assert monitor.custom_fields["team"] == "checkout"


def test_grafana_value_string_and_resolve(ingest_client):
    body = payload("grafana")
    body["alerts"][0]["valueString"] = "[ var='B' labels={} value=2.71 ]"
    opened = post(ingest_client, body, GRAFANA).json()["results"][0]
    assert CheckResult.objects.get(pk=opened["id"]).failure_message == "[ var='B' labels={} value=2.71 ]"
    body["alerts"][0].update(status="resolved", endsAt="2026-11-30T22:30:00+01:00")
    closed = post(ingest_client, body, GRAFANA).json()["results"][0]
    assert closed["incident"]["status"] == "resolved"


def test_grafana_version_is_not_alertmanagers(ingest_client):
    # Grafana sends version "1"; only the Alertmanager endpoint checks it.
    assert post(ingest_client, payload("grafana"), GRAFANA).status_code == 202
    assert post(ingest_client, payload("grafana"), URL).status_code == 400


def test_grafana_bad_types_are_400(ingest_client):
    body = payload("grafana")
    body["alerts"][0]["dashboardURL"] = 5
    body["alerts"][0]["valueString"] = ["x"]
    response = post(ingest_client, body, GRAFANA)
    assert response.status_code == 400
    assert set(response.json()["errors"]["0"]) == {"valueString"}
