"""POST /api/v1/alerts: every answer code, validation, idempotency, batches."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alerting.engine import clock
from alerting.models import Alert, ApiKey, CheckResult, IdempotencyRecord, Incident, Monitor
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/alerts"


def post(client, body, **extra):
    return client.post(URL, body, format="json", **extra)


def test_error_then_ok_for_a_new_monitor(ingest_client):
    first = post(ingest_client, {"monitor": "shop-home", "status": "error", "description": "HTTP 503"})
    assert first.status_code == 202
    body = first.json()
    assert set(body) == {"id", "monitor", "incident", "alerts", "ignored"}
    assert body["monitor"] == "shop-home" and body["ignored"] is None
    assert body["incident"]["status"] == "open"
    # The default definition covers All monitors, which a new monitor joins.
    [alert] = body["alerts"]
    assert alert["type"] == "Alert" and alert["escalation_level"] == 1
    assert set(alert) == {"id", "type", "alert_definition", "escalation_level", "suppressed"}
    assert alert["suppressed"] is None
    assert Alert.objects.get(guid=alert["id"]).definition_name == "Default alert definition"

    second = post(ingest_client, {"monitor": "shop-home", "status": "ok"})
    assert second.status_code == 202
    assert second.json()["incident"] == {"key": body["incident"]["key"], "status": "resolved"}
    assert [a["type"] for a in second.json()["alerts"]] == ["Ok"]
    assert CheckResult.objects.get(pk=second.json()["id"]).status == "ok"


def test_ok_without_incident_answers_null_incident(ingest_client):
    body = post(ingest_client, {"monitor": "fine", "status": "ok"}).json()
    assert body["incident"] is None and body["alerts"] == []


def test_monitor_data_and_check_data_are_stored(ingest_client):
    response = post(
        ingest_client,
        {
            "monitor": "api.example/health",
            "status": "error",
            "description": "Timeout",
            "timestamp": "2026-01-05T10:00:00+01:00",
            "checkpoint": "Ghent",
            "error_type_id": 5407,
            "check_id": "c-1",
            "response_headers": {"Content-Type": "text/html"},
            "monitor_name": "API health",
            "monitor_url": "https://api.example/health",
            "monitor_type": "HTTPS",
            "monitor_notes": "Ask the API team",
            "custom_fields": {"ComponentId": "42"},
        },
    )
    assert response.status_code == 202, response.json()
    monitor = Monitor.objects.get(key="api.example/health")
    assert (monitor.name, monitor.url, monitor.monitor_type, monitor.notes) == (
        "API health",
        "https://api.example/health",
        "HTTPS",
        "Ask the API team",
    )
    assert monitor.custom_fields == {"ComponentId": "42"}
    result = CheckResult.objects.get()
    assert result.timestamp == dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    assert (result.checkpoint, result.error_type_id, result.check_id) == ("Ghent", "5407", "c-1")
    assert result.response_headers == '"Content-Type": "text/html"'
    assert result.api_key.scope == "ingest"
    alert = Alert.objects.get()
    assert alert.variables["@monitor.name"] == "API health"
    assert alert.variables["@CustomField(ComponentId)"] == "42"
    # Later submissions update the monitor's data.
    post(ingest_client, {"monitor": "api.example/health", "status": "ok", "monitor_name": "API"})
    assert Monitor.objects.get(key="api.example/health").name == "API"


def test_response_body_is_truncated_at_one_megabyte(ingest_client):
    body = "x" * (1024 * 1024 + 500)
    response = post(
        ingest_client, {"monitor": "big", "status": "error", "description": "d", "response_body": body}
    )
    assert response.status_code == 202
    assert len(CheckResult.objects.get().response_body) == 1024 * 1024


@pytest.mark.parametrize(
    ("body", "field", "needle"),
    [
        ({"status": "error", "description": "d"}, "monitor", "required"),
        ({"monitor": "", "status": "ok"}, "monitor", "required"),
        ({"monitor": "bad key with spaces", "status": "ok"}, "monitor", "monitor key"),
        ({"monitor": 5, "status": "ok"}, "monitor", "required"),
        ({"monitor": "m"}, "status", "required"),
        ({"monitor": "m", "status": "down"}, "status", '"error" or "ok"'),
        ({"monitor": "m", "status": "error"}, "description", "Required when status is error"),
        ({"monitor": "m", "status": "error", "description": "   "}, "description", "Required"),
        ({"monitor": "m", "status": "ok", "timestamp": "2026-01-05T09:00:00"}, "timestamp", "time zone"),
        ({"monitor": "m", "status": "ok", "timestamp": "yesterday"}, "timestamp", "ISO 8601"),
        ({"monitor": "m", "status": "ok", "timestamp": 1767600000}, "timestamp", "ISO 8601"),
        ({"monitor": "m", "status": "ok", "checkpoint": ["a"]}, "checkpoint", "string"),
        ({"monitor": "m", "status": "ok", "check_id": True}, "check_id", "string"),
        ({"monitor": "m", "status": "ok", "checkpoint": "x" * 201}, "checkpoint", "200"),
        ({"monitor": "m", "status": "ok", "monitor_name": "x" * 201}, "monitor_name", "200"),
        ({"monitor": "m", "status": "ok", "custom_fields": {"a": 1}}, "custom_fields", "strings"),
        ({"monitor": "m", "status": "ok", "custom_fields": "a=b"}, "custom_fields", "strings"),
        ({"monitor": "m", "status": "ok", "response_headers": {"a": ["b"]}}, "response_headers", "string"),
        ({"monitor": "m", "status": "ok", "idempotency_key": ""}, "idempotency_key", "1–150"),
        ({"monitor": "m", "status": "ok", "idempotency_key": "k" * 151}, "idempotency_key", "1–150"),
        ({"monitor": "m", "status": "ok", "severity": "high"}, "severity", "Unknown field"),
    ],
)
def test_invalid_single_object_is_400_with_field_errors(ingest_client, body, field, needle):
    response = post(ingest_client, body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert field in errors, errors
    assert any(needle in message for message in errors[field]), errors[field]
    assert not CheckResult.objects.exists()


def test_timestamp_future_limit_is_five_minutes(ingest_client):
    now = timezone.now()
    late = (now + dt.timedelta(minutes=6)).isoformat()
    soon = (now + dt.timedelta(minutes=4)).isoformat()
    assert post(ingest_client, {"monitor": "m", "status": "ok", "timestamp": late}).status_code == 400
    assert post(ingest_client, {"monitor": "m", "status": "ok", "timestamp": soon}).status_code == 202


@pytest.mark.parametrize(
    ("body", "needle"),
    [("just text", "JSON object"), (42, "JSON object"), (None, "JSON object"), ([], "empty")],
)
def test_body_of_the_wrong_shape_is_400(ingest_client, body, needle):
    response = ingest_client.post(URL, json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert needle in response.json()["errors"]["detail"][0]


def test_batch_is_accepted_in_order(ingest_client):
    items = [
        {"monitor": "a", "status": "error", "description": "down"},
        {"monitor": "b", "status": "ok"},
        {"monitor": "a", "status": "ok"},
    ]
    response = post(ingest_client, items)
    assert response.status_code == 202
    results = response.json()["results"]
    assert [r["monitor"] for r in results] == ["a", "b", "a"]
    assert results[0]["incident"]["status"] == "open"
    assert results[2]["incident"] == {"key": results[0]["incident"]["key"], "status": "resolved"}
    assert [a["type"] for a in results[2]["alerts"]] == ["Ok"]


def test_batch_with_one_bad_item_stores_nothing_and_keys_errors_by_index(ingest_client):
    items = [{"monitor": f"m{i}", "status": "ok"} for i in range(5)]
    items[3] = {"monitor": "m3", "status": "error"}
    items.append("not an object")
    response = post(ingest_client, items)
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "3": {"description": ["Required when status is error: the error text."]},
        "5": {"detail": ["Each check result must be a JSON object."]},
    }
    assert not CheckResult.objects.exists() and not Monitor.objects.exists()


def test_batch_limit_is_1000(ingest_client):
    items = [{"monitor": "m", "status": "ok"}] * 1001
    response = post(ingest_client, items)
    assert response.status_code == 400
    assert "1000" in response.json()["errors"]["detail"][0]
    assert post(ingest_client, items[:1000]).status_code == 202
    assert CheckResult.objects.count() == 1000


@override_settings(AUTO_CREATE_MONITORS=False)
def test_unknown_monitor_is_400_when_auto_create_is_off(ingest_client):
    Monitor.objects.create(key="known", name="Known")
    response = post(
        ingest_client, [{"monitor": "known", "status": "ok"}, {"monitor": "nope", "status": "ok"}]
    )
    assert response.status_code == 400
    assert "AUTO_CREATE_MONITORS" in response.json()["errors"]["1"]["monitor"][0]
    assert post(ingest_client, {"monitor": "known", "status": "ok"}).status_code == 202
    assert not Monitor.objects.filter(key="nope").exists()


def test_out_of_order_submission_answers_that_it_was_ignored(ingest_client):
    post(
        ingest_client,
        {"monitor": "m", "status": "error", "description": "d", "timestamp": "2026-01-05T09:05:00Z"},
    )
    late = post(ingest_client, {"monitor": "m", "status": "ok", "timestamp": "2026-01-05T09:00:00Z"})
    assert late.status_code == 202
    body = late.json()
    assert "older" in body["ignored"] and body["incident"] is None and body["alerts"] == []
    assert Incident.objects.get().resolved_at is None


def test_idempotency_header_replays_the_first_answer(ingest_client):
    payload = {"monitor": "m", "status": "error", "description": "down"}
    first = post(ingest_client, payload, HTTP_IDEMPOTENCY_KEY="retry-1")
    again = post(ingest_client, payload, HTTP_IDEMPOTENCY_KEY="retry-1")
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert CheckResult.objects.count() == 1 and Alert.objects.count() == 1
    # Even a different body with the same key changes nothing.
    other = post(ingest_client, {"monitor": "m", "status": "ok"}, HTTP_IDEMPOTENCY_KEY="retry-1")
    assert other.json() == first.json() and CheckResult.objects.count() == 1
    # A new key is new work.
    post(ingest_client, payload, HTTP_IDEMPOTENCY_KEY="retry-2")
    assert CheckResult.objects.count() == 2


def test_idempotency_keys_expire_after_24_hours(ingest_client):
    payload = {"monitor": "m", "status": "ok"}
    post(ingest_client, payload, HTTP_IDEMPOTENCY_KEY="k")
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(hours=24, seconds=1))
    replay = post(ingest_client, payload, HTTP_IDEMPOTENCY_KEY="k")
    assert "Idempotent-Replayed" not in replay
    assert CheckResult.objects.count() == 2 and IdempotencyRecord.objects.count() == 1


def test_idempotency_keys_belong_to_their_api_key(ingest_client, db):
    other = client_for("ingest")
    payload = {"monitor": "m", "status": "ok"}
    post(ingest_client, payload, HTTP_IDEMPOTENCY_KEY="shared")
    post(other, payload, HTTP_IDEMPOTENCY_KEY="shared")
    assert CheckResult.objects.count() == 2


def test_refused_request_is_not_remembered(ingest_client):
    bad = post(ingest_client, {"monitor": "m", "status": "error"}, HTTP_IDEMPOTENCY_KEY="fix-me")
    assert bad.status_code == 400
    good = post(
        ingest_client, {"monitor": "m", "status": "error", "description": "d"}, HTTP_IDEMPOTENCY_KEY="fix-me"
    )
    assert good.status_code == 202 and CheckResult.objects.count() == 1


def test_idempotency_header_too_long_is_400(ingest_client):
    response = post(ingest_client, {"monitor": "m", "status": "ok"}, HTTP_IDEMPOTENCY_KEY="k" * 151)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]


def test_item_idempotency_keys_replay_per_item(ingest_client):
    one = {"monitor": "m", "status": "error", "description": "d", "idempotency_key": "check-1"}
    two = {"monitor": "m", "status": "error", "description": "d", "idempotency_key": "check-2"}
    first = post(ingest_client, [one])
    second = post(ingest_client, [one, two, two])
    assert second.status_code == 202
    results = second.json()["results"]
    assert results[0] == first.json()["results"][0]
    assert results[2] == results[1]
    assert CheckResult.objects.count() == 2
    assert Incident.objects.get().consecutive_errors == 2


def test_submissions_follow_the_engine_clock(ingest_client):
    moment = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    with clock.frozen(moment):
        body = post(ingest_client, {"monitor": "m", "status": "error", "description": "d"}).json()
        assert (
            post(
                ingest_client, {"monitor": "m", "status": "ok", "timestamp": "2026-01-05T09:06:00Z"}
            ).status_code
            == 400
        )
    assert CheckResult.objects.get(pk=body["id"]).timestamp == moment


def test_answer_codes_without_or_with_a_bad_key(db):
    from rest_framework.test import APIClient

    anonymous = APIClient()
    response = post(anonymous, {"monitor": "m", "status": "ok"})
    assert response.status_code == 401 and response.json()["errors"]["detail"]
    key, raw = ApiKey.generate("soon revoked", "ingest")
    anonymous.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert post(anonymous, {"monitor": "m", "status": "ok"}).status_code == 202
    key.revoke()
    assert post(anonymous, {"monitor": "m", "status": "ok"}).status_code == 401


def test_read_and_admin_keys_may_submit(read_client, admin_client_api):
    assert post(read_client, {"monitor": "m", "status": "ok"}).status_code == 202
    assert post(admin_client_api, {"monitor": "m", "status": "ok"}).status_code == 202


def test_ingest_key_may_not_read(ingest_client):
    response = ingest_client.get(URL)
    assert response.status_code == 403
    assert "scope" in response.json()["errors"]["detail"][0]


@override_settings(API_MAX_BODY_BYTES=4096)
def test_body_over_the_limit_is_413(ingest_client):
    response = post(ingest_client, {"monitor": "m", "status": "error", "description": "x" * 5000})
    assert response.status_code == 413
    assert response.json()["errors"]["detail"]
    assert not CheckResult.objects.exists()


def test_non_json_body_is_415(ingest_client):
    response = ingest_client.post(
        URL, "monitor=m&status=ok", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response.json()["errors"]["detail"]


def test_malformed_json_is_400(ingest_client):
    response = ingest_client.post(
        URL, '{"monitor": "m", "monitor": "n", "status": "ok"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert "Duplicate key" in response.json()["errors"]["detail"][0]


@override_settings(API_RATE_LIMIT_PER_MINUTE=2)
def test_rate_limit_is_429_with_retry_after(ingest_client):
    codes = [post(ingest_client, {"monitor": "m", "status": "ok"}).status_code for _ in range(3)]
    assert codes == [202, 202, 429]
    limited = post(ingest_client, {"monitor": "m", "status": "ok"})
    assert int(limited["Retry-After"]) >= 1
    assert limited.json()["errors"]["detail"]
    assert CheckResult.objects.count() == 2


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)
fields = st.sampled_from(
    [
        "monitor",
        "status",
        "description",
        "timestamp",
        "checkpoint",
        "custom_fields",
        "response_headers",
        "check_id",
    ]
)
submissions = st.dictionaries(
    fields, json_values | st.sampled_from(["error", "ok", "m-1", "2026-01-05T09:00:00Z"])
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=submissions | st.lists(submissions, max_size=3) | json_values)
def test_any_json_gets_202_or_400_never_500(ingest_client, body):
    response = ingest_client.post(URL, json.dumps(body), content_type="application/json")
    assert response.status_code in (202, 400), response.content
    assert isinstance(response.json(), dict)


def test_the_sweep_task_purges_expired_idempotency_records(ingest_client):
    from alerting.engine.sweep import run_sweep

    post(ingest_client, {"monitor": "m", "status": "ok"}, HTTP_IDEMPOTENCY_KEY="old")
    post(ingest_client, {"monitor": "m", "status": "ok"}, HTTP_IDEMPOTENCY_KEY="new")
    IdempotencyRecord.objects.filter(key="request:old").update(
        created_at=timezone.now() - dt.timedelta(hours=25)
    )
    run_sweep()
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["request:new"]


def test_alerts_suppressed_by_maintenance_or_stop_all_say_why(ingest_client):
    from alerting.models import AccountSettings, MaintenancePeriod, MaintenanceType
    from integrations.models import Message

    monitor = Monitor.objects.create(key="backup", name="Backup")
    now = timezone.now()
    MaintenancePeriod.objects.create(
        monitor=monitor,
        maintenance_type=MaintenanceType.DISABLE_NOTIFICATIONS,
        mode="one_time",
        start_datetime=now - dt.timedelta(hours=1),
        end_datetime=now + dt.timedelta(hours=1),
    )
    body = post(ingest_client, {"monitor": "backup", "status": "error", "description": "late"}).json()
    [alert] = body["alerts"]
    assert alert["type"] == "Alert"
    assert alert["suppressed"] == "maintenance: notifications disabled"
    assert not Message.objects.filter(alert__guid=alert["id"]).exists()

    AccountSettings.objects.update_or_create(pk=1, defaults={"stop_all_alerts": True})
    body = post(ingest_client, {"monitor": "other", "status": "error", "description": "down"}).json()
    assert [a["suppressed"] for a in body["alerts"]] == ["stop all alerts is on"]
