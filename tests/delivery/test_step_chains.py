"""Step chaining through the real delivery pipeline: a step captures values
from its response for the later steps of the same message (an auth token, a
lookup), against a local receiver."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from django.utils import timezone
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from alerting.models import Alert, Incident, Monitor
from integrations import catalogue
from integrations.delivery import worker
from integrations.models import (
    Integration,
    IntegrationKind,
    IntegrationStep,
    IntegrationVariable,
    Message,
    MessageAttempt,
    MessageStatus,
)
from integrations.provisioning import apply_preset
from tests.delivery import factories

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN_CAPTURE = {"name": "token", "source": "json-pointer", "expression": "/access_token", "secret": True}


@pytest.fixture(autouse=True)
def delivery_settings(settings):  # type: ignore[no-untyped-def]
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    settings.DELIVERY_RETRY_SCHEDULE = [1, 1, 1]
    settings.DELIVERY_LINGER_SECONDS = 3
    settings.DELIVERY_BREAKER_THRESHOLD = 50
    return settings


def token_then_post(httpserver: HTTPServer, **second: object) -> Integration:
    integration = Integration.objects.create(
        name=f"chain-{uuid.uuid4().hex[:6]}", kind=IntegrationKind.WEBHOOK
    )
    IntegrationVariable.objects.create(
        integration=integration, name="ClientSecret", is_secret=True, secret_value="client-secret-1"
    )
    IntegrationStep.objects.create(
        integration=integration,
        position=1,
        name="Get token",
        method="POST",
        url=factories.local(httpserver, "/oauth/token"),
        body="grant_type=client_credentials&client_secret={{@UrlEncode({{ClientSecret}})}}",
        content_type="application/x-www-form-urlencoded",
        captures=[
            TOKEN_CAPTURE,
            {"name": "tenant", "source": "regex", "expression": r'"tenant":\s*"([^"]+)"'},
        ],
    )
    fields: dict[str, object] = {
        "name": "Post alert",
        "method": "POST",
        "url": factories.local(httpserver, "/tenants/{{@UrlEncode({{tenant}})}}/alerts"),
        "headers": [["Authorization", "Bearer {{token}}"], ["X-Tenant", "{{tenant}}"]],
        "body": '{"type": "{{@alert.type}}", "tenant": "{{@JsonEncode({{tenant}})}}"}',
        "content_type": "application/json",
    }
    fields.update(second)
    IntegrationStep.objects.create(integration=integration, position=2, **fields)
    return integration


def stored(message: Message) -> str:
    """Everything the message log keeps of a message, as one text."""
    message.refresh_from_db()
    attempts = list(MessageAttempt.objects.filter(message=message).values())
    return json.dumps(
        {
            "error": message.error,
            "attempts": attempts,
        },
        default=str,
    )


def test_a_token_step_feeds_the_next_request(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/oauth/token", method="POST").respond_with_json(
        {"access_token": "tok-9f8e7d6c5b4a", "tenant": "acme & co", "expires_in": 3600}
    )
    httpserver.expect_ordered_request("/tenants/acme & co/alerts", method="POST").respond_with_json(
        {"id": 42}, status=201
    )
    integration = token_then_post(httpserver)
    [message] = factories.messages(integration)
    worker.deliver([message.id])
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED, message.error

    (first, _), (second, _) = httpserver.log
    assert first.get_data(as_text=True) == "grant_type=client_credentials&client_secret=client-secret-1"
    assert first.headers["Idempotency-Key"] == f"{message.id}-1"
    # The exact second request: path, headers and body from the captures.
    assert second.environ["REQUEST_URI"] == "/tenants/acme%20%26%20co/alerts"
    assert second.headers["Authorization"] == "Bearer tok-9f8e7d6c5b4a"
    assert second.headers["X-Tenant"] == "acme & co"
    assert second.headers["Idempotency-Key"] == f"{message.id}-2"
    assert second.headers["Content-Type"] == "application/json"
    assert second.get_data(as_text=True) == '{"type": "Alert", "tenant": "acme & co"}'

    # The log shows both requests; the secret capture (and the variable) appear nowhere.
    text = stored(message)
    assert "tok-9f8e7d6c5b4a" not in text and "client-secret-1" not in text
    attempt = MessageAttempt.objects.get(message=message)
    assert attempt.response_status == 201
    assert attempt.request["url"].endswith("/tenants/acme%20%26%20co/alerts")
    [earlier] = attempt.request["earlier"]
    assert earlier["status"] == 200 and earlier["request"]["url"].endswith("/oauth/token")
    assert attempt.request["headers"]["Authorization"] == "Bearer ********"


def test_a_retry_runs_the_chain_again_with_a_fresh_token(httpserver: HTTPServer) -> None:
    tokens = iter(["tok-first-111111", "tok-second-222222"])

    def issue(_request: Request) -> Response:
        return Response(
            json.dumps({"access_token": next(tokens), "tenant": "t1"}), content_type="application/json"
        )

    httpserver.expect_ordered_request("/oauth/token").respond_with_handler(issue)
    httpserver.expect_ordered_request("/tenants/t1/alerts").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/oauth/token").respond_with_handler(issue)
    httpserver.expect_ordered_request("/tenants/t1/alerts").respond_with_data("ok")
    integration = token_then_post(httpserver)
    [message] = factories.messages(integration)
    worker.deliver([message.id])  # lingers through the 1 s retry
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED and message.attempt_count == 2
    requests = [r for r, _ in httpserver.log]
    assert [r.path for r in requests] == ["/oauth/token", "/tenants/t1/alerts"] * 2
    assert requests[1].headers["Authorization"] == "Bearer tok-first-111111"
    assert requests[3].headers["Authorization"] == "Bearer tok-second-222222"
    # Each step keeps its Idempotency-Key across retries: a receiver can drop a repeat.
    assert [r.headers["Idempotency-Key"] for r in requests] == [f"{message.id}-1", f"{message.id}-2"] * 2
    text = stored(message)
    assert "tok-first-111111" not in text and "tok-second-222222" not in text
    outcomes = list(MessageAttempt.objects.filter(message=message).values_list("response_status", "outcome"))
    assert outcomes == [(503, "pending"), (200, "delivered")]


def test_a_capture_that_finds_nothing_fails_the_message_at_once(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/oauth/token").respond_with_json({"error": "no token today", "tenant": "t1"})
    integration = token_then_post(httpserver)
    [message] = factories.messages(integration)
    worker.deliver([message.id])
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and message.attempt_count == 1
    assert message.error == (
        "step 1 (Get token): capture token found nothing at /access_token in the response."
    )
    assert [r.path for r, _ in httpserver.log] == ["/oauth/token"]  # the second step never ran


def test_the_message_log_records_an_error_in_the_accounts_language(httpserver: HTTPServer, settings) -> None:
    """The worker has no reader: what it records is for anyone on the account."""
    settings.ACCOUNT_LANGUAGE = "de"
    httpserver.expect_request("/oauth/token").respond_with_json({"error": "no token today"})
    integration = token_then_post(httpserver)
    [message] = factories.messages(integration)
    worker.deliver([message.id])
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.error == (
        "Schritt 1 (Get token): Erfassung token hat bei /access_token in der Antwort nichts gefunden."
    )
    attempt = MessageAttempt.objects.get(message=message)
    assert attempt.error == message.error


def test_an_optional_capture_that_finds_nothing_is_empty(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/oauth/token").respond_with_json({"access_token": "tok-abc-123456"})
    httpserver.expect_ordered_request("/tenants//alerts").respond_with_data("ok")
    integration = token_then_post(httpserver)
    step = integration.steps.get(position=1)
    step.captures = [
        TOKEN_CAPTURE,
        {"name": "tenant", "source": "regex", "expression": r'"tenant":\s*"([^"]+)"', "optional": True},
    ]
    step.save()
    [message] = factories.messages(integration)
    worker.deliver([message.id])
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED, message.error
    second = httpserver.log[1][0]
    assert second.headers["X-Tenant"] == "" or "X-Tenant" not in second.headers
    assert second.get_json() == {"type": "Alert", "tenant": ""}


# --- ServiceNow: open, then resolve by looking the incident up ----------------------------


def servicenow(httpserver: HTTPServer) -> Integration:
    integration = apply_preset(Integration(name="ServiceNow"), "servicenow")
    values = {"InstanceName": "acme", "Username": "alerts", "Password": "pw-123456"}
    for variable in integration.variables.all():
        if variable.name in values:
            if variable.is_secret:
                variable.secret_value = values[variable.name]
            else:
                variable.value = values[variable.name]
            variable.save()
    for step in integration.steps.all():
        step.url = step.url.replace(
            "https://{{InstanceName}}.service-now.com", factories.local(httpserver, "")
        )
        step.save()
    integration.customized = True
    integration.save()
    return integration


def incident_alerts() -> tuple[Alert, Alert]:
    monitor = Monitor.objects.create(key=f"m-{uuid.uuid4().hex[:8]}", name='Shop "EU" <home>')
    incident = Incident.objects.create(key=f"{uuid.uuid4()}-0-1", monitor=monitor, opened_at=timezone.now())
    made = []
    for alert_type in ("Alert", "Ok"):
        variables = catalogue.example_values(alert_type, 1)
        variables.update({"@incident.key": incident.key, "@monitor.name": monitor.name})
        made.append(
            Alert.objects.create(
                incident=incident,
                definition_name="Default",
                level_number=1,
                alert_type=alert_type,
                timestamp=timezone.now(),
                variables=variables,
            )
        )
    return made[0], made[1]


def test_servicenow_opens_then_resolves_by_correlation_id(httpserver: HTTPServer) -> None:
    sys_id = "9d385017c611228701d22104cc95c371"
    httpserver.expect_ordered_request("/api/now/table/incident", method="POST").respond_with_json(
        {"result": {"sys_id": sys_id, "number": "INC0010001"}}, status=201
    )
    httpserver.expect_ordered_request("/api/now/table/incident", method="GET").respond_with_json(
        {"result": [{"sys_id": sys_id}]}
    )
    httpserver.expect_ordered_request(f"/api/now/table/incident/{sys_id}", method="PATCH").respond_with_json(
        {"result": {"sys_id": sys_id, "number": "INC0010001", "state": "6"}}
    )
    integration = servicenow(httpserver)
    opened, resolved = incident_alerts()
    key = opened.incident.key
    [first] = factories.messages(integration, for_alert=opened)
    [ok] = factories.messages(integration, for_alert=resolved, depends_on=first)
    worker.deliver([first.id, ok.id])
    first.refresh_from_db()
    ok.refresh_from_db()
    assert first.status == MessageStatus.DELIVERED, first.error
    assert ok.status == MessageStatus.DELIVERED, ok.error

    basic = "Basic " + base64.b64encode(b"alerts:pw-123456").decode()
    (create, _), (lookup, _), (patch, _) = httpserver.log
    assert create.method == "POST" and create.args["sysparm_fields"] == "sys_id,number"
    assert create.get_json()["correlation_id"] == key
    assert create.headers["Authorization"] == basic

    assert lookup.method == "GET" and lookup.path == "/api/now/table/incident"
    assert dict(lookup.args) == {
        "sysparm_query": f"correlation_id={key}",
        "sysparm_fields": "sys_id",
        "sysparm_limit": "1",
    }
    assert lookup.headers["Authorization"] == basic and lookup.headers["Accept"] == "application/json"
    assert lookup.get_data() == b"" and "Content-Type" not in lookup.headers
    assert lookup.headers["Idempotency-Key"] == f"{ok.id}-2"

    assert patch.method == "PATCH" and patch.path == f"/api/now/table/incident/{sys_id}"
    assert dict(patch.args) == {"sysparm_fields": "sys_id,number,state"}
    assert patch.headers["Authorization"] == basic
    assert patch.headers["Content-Type"] == "application/json"
    assert patch.headers["Idempotency-Key"] == f"{ok.id}-3"
    downtime = resolved.variables["@alert.downtimeDuration"]
    assert patch.get_json() == {
        "state": "6",
        "close_code": "Resolved by caller",
        "close_notes": f'Resolved automatically by alertsite after {downtime} (Shop "EU" <home>).',
    }
    attempt = MessageAttempt.objects.get(message=ok)
    assert attempt.request["method"] == "PATCH" and attempt.request["earlier"][0]["status"] == 200
    assert "pw-123456" not in stored(ok)


def test_servicenow_resolve_fails_clearly_when_no_incident_matches(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/now/table/incident", method="GET").respond_with_json({"result": []})
    integration = servicenow(httpserver)
    _opened, resolved = incident_alerts()
    [ok] = factories.messages(integration, for_alert=resolved)
    worker.deliver([ok.id])
    ok.refresh_from_db()
    assert ok.status == MessageStatus.FAILED and ok.attempt_count == 1
    assert ok.error == (
        "step 2 (Look up incident): capture IncidentSysId found nothing at /result/0/sys_id in the response."
    )
    assert [r.method for r, _ in httpserver.log] == ["GET"]  # nothing was PATCHed
