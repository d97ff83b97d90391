"""POST /api/v1/incidents/{key}/acknowledge and /unacknowledge (respond scope)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from alerting.engine import Submission, clock, process_submission
from alerting.engine.sweep import sweep
from alerting.models import Alert, ApiKey, EscalationState, Incident
from tests.api.conftest import client_for
from tests.engine import factories as f
from tests.engine.timeline import at

pytestmark = pytest.mark.django_db

D = "Ops"


@pytest.fixture
def incident(db) -> Incident:
    f.silence_default_definition()
    f.definition(
        D, [{"threshold": 1, "reminders": 2, "delay": 10}, {"threshold": 3}], groups=[f.all_monitors()]
    )
    with clock.frozen(at(0)):
        process_submission(Submission("web", "error", at(0), "down"))
    return Incident.objects.get()


@pytest.fixture
def respond_client(db):
    return client_for("respond")


def test_acknowledge_with_who_note_and_snooze(respond_client, incident):
    with clock.frozen(at(2)):
        answer = respond_client.post(
            f"/api/v1/incidents/{incident.key}/acknowledge",
            {"by": "Dana", "note": "restarting the pool", "until": "2026-01-05T09:30:00+00:00"},
            format="json",
        )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["key"] == incident.key
    assert body["status"] == "acknowledged"
    assert body["acknowledgement"] == {
        "at": "2026-01-05T09:02:00Z",
        "by": "Dana",
        "note": "restarting the pool",
        "until": "2026-01-05T09:30:00Z",
    }
    incident.refresh_from_db()
    assert incident.acknowledged_until == at(30)
    assert EscalationState.objects.get().next_reminder_at is None
    # Acknowledged: the reminder due at 10 and level 2's third error raise nothing.
    with clock.frozen(at(10)):
        process_submission(Submission("web", "error", at(10), "down"))
        process_submission(Submission("web", "error", at(10.5), "down"))
        sweep()
    # Passed on (Acknowledged, recorded at 2), nothing raised since.
    assert list(Alert.objects.order_by("pk").values_list("alert_type", "level_number")) == [
        ("Alert", 1),
        ("Acknowledged", 1),
    ]
    with clock.frozen(at(11)):
        listed = respond_client.get("/api/v1/incidents?status=acknowledged").json()
        assert [i["key"] for i in listed["results"]] == [incident.key]
        assert respond_client.get("/api/v1/incidents?status=open").json()["count"] == 0
        assert respond_client.get("/api/v1/incidents?status=unresolved").json()["count"] == 1
    with clock.frozen(at(30)):
        # The snooze is over: open again before the sweep has even run.
        assert respond_client.get(f"/api/v1/incidents/{incident.key}").json()["status"] == "open"


def test_acknowledge_with_an_empty_body_records_the_key_name(respond_client, incident):
    answer = respond_client.post(f"/api/v1/incidents/{incident.key}/acknowledge")
    assert answer.status_code == 200, answer.content
    ack = answer.json()["acknowledgement"]
    assert ack["by"] == "API key respond test key"
    assert (ack["note"], ack["until"]) == ("", None)


def test_unacknowledge_resumes_escalation(respond_client, incident):
    with clock.frozen(at(1)):
        assert respond_client.post(f"/api/v1/incidents/{incident.key}/acknowledge").status_code == 200
        for minute in (1, 2, 3):
            process_submission(Submission("web", "error", at(minute), "down"))
    assert list(Alert.objects.order_by("pk").values_list("alert_type", flat=True)) == [
        "Alert",
        "Acknowledged",
    ]
    with clock.frozen(at(4)):
        answer = respond_client.post(f"/api/v1/incidents/{incident.key}/unacknowledge")
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "open"
    assert answer.json()["acknowledgement"] is None
    # Level 2's threshold (3 errors) was reached meanwhile: it fires now.
    assert list(Alert.objects.order_by("pk").values_list("alert_type", "level_number", "timestamp")) == [
        ("Alert", 1, at(0)),
        ("Acknowledged", 1, at(1)),
        ("Alert", 2, at(4)),
    ]
    assert EscalationState.objects.get(level__number=1).next_reminder_at == at(14)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"until": "tomorrow"}, "until", "ISO 8601"),
        ({"until": "2026-01-05T10:00:00"}, "until", "time zone"),
        ({"until": "2026-01-05T08:00:00Z"}, "until", "future"),
        ({"until": "2030-01-05T08:00:00Z"}, "until", "366 days"),
        ({"by": "x" * 201}, "by", "200"),
        ({"note": 5 * ["x"]}, "note", "string"),
    ],
)
def test_bad_input_is_a_400_with_field_errors(respond_client, incident, body, field, message):
    with clock.frozen(at(5)):
        answer = respond_client.post(f"/api/v1/incidents/{incident.key}/acknowledge", body, format="json")
    assert answer.status_code == 400, answer.content
    errors = answer.json()["errors"]
    assert list(errors) == [field]
    assert message in errors[field][0]
    incident.refresh_from_db()
    assert incident.acknowledged_at is None


def test_a_resolved_incident_is_a_400(respond_client, incident):
    with clock.frozen(at(5)):
        process_submission(Submission("web", "ok", at(5)))
    for action in ("acknowledge", "unacknowledge"):
        answer = respond_client.post(f"/api/v1/incidents/{incident.key}/{action}")
        assert answer.status_code == 400
        assert "resolved" in answer.json()["errors"]["incident"][0]


def test_unknown_key_is_a_404_json(respond_client, db):
    for action in ("acknowledge", "unacknowledge"):
        answer = respond_client.post(f"/api/v1/incidents/nope/{action}")
        assert answer.status_code == 404
        assert answer.json() == {"errors": {"detail": ["No incident has this key."]}}


@pytest.mark.parametrize(
    ("scope", "code"), [("ingest", 403), ("read", 403), ("respond", 200), ("admin", 200)]
)
def test_scopes(incident, scope, code):
    client = client_for(scope)
    assert client.post(f"/api/v1/incidents/{incident.key}/acknowledge").status_code == code
    assert client.post(f"/api/v1/incidents/{incident.key}/unacknowledge").status_code == code
    if scope == "respond":
        # Everything read may, too.
        assert client.get("/api/v1/incidents").status_code == 200
        assert client.get(f"/api/v1/incidents/{incident.key}").status_code == 200
    if code == 403:
        errors = client.post(f"/api/v1/incidents/{incident.key}/acknowledge").json()["errors"]
        assert "needs 'respond'" in errors["detail"][0]


def test_no_key_is_a_401(incident):
    from rest_framework.test import APIClient

    assert APIClient().post(f"/api/v1/incidents/{incident.key}/acknowledge").status_code == 401


def test_create_api_key_with_the_respond_scope(db, capsys):
    call_command("create_api_key", "pager app", "--scope", "respond")
    raw = capsys.readouterr().out.strip()
    key = ApiKey.objects.get(name="pager app")
    assert key.scope == "respond"
    assert raw.startswith(key.prefix)
