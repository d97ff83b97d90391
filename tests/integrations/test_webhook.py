"""The custom-integration transport and send_message, against a local receiver."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from email.utils import format_datetime

import pytest
import requests
from django.utils import timezone

from alerting.models import Alert, AlertDefinition, Incident, Monitor
from integrations import catalogue
from integrations.models import Integration, IntegrationKind, IntegrationStep, IntegrationVariable, Message
from integrations.outbound import outbound_session
from integrations.sending import send_message, send_test
from integrations.transports.base import TransportError
from integrations.transports.http import retry_after_seconds

pytestmark = pytest.mark.django_db


def custom(url: str, **step_fields) -> Integration:
    integration = Integration.objects.create(name="hook", kind=IntegrationKind.WEBHOOK)
    IntegrationVariable.objects.create(integration=integration, name="Url", value=url)
    IntegrationVariable.objects.create(
        integration=integration, name="Token", is_secret=True, secret_value="tok-999"
    )
    fields = {
        "url": "{{Url}}",
        "body": '{"type": "{{@alert.type}}", "token": "{{Token}}"}',
        "headers": [["X-Token", "{{Token}}"], ["X-Monitor", "{{@monitor.name}}"]],
    }
    fields.update(step_fields)
    IntegrationStep.objects.create(integration=integration, position=1, **fields)
    return integration


def test_signed_request_with_idempotency_key(receiver) -> None:
    receiver.expect_request("/in", method="POST").respond_with_data("ok")
    integration = custom(receiver.url_for("/in"))
    integration.signing_secrets = ["first-secret-0123456789", "second-secret-0123456789"]
    integration.save()
    exchanges = send_test(Integration.objects.get(pk=integration.pk), "Alert")
    request = receiver.log[-1][0]
    body = request.get_data()
    timestamp = request.headers["X-Alertsite-Timestamp"]
    expected = [
        "v1=" + hmac.new(s.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        for s in integration.signing_secrets
    ]
    assert request.headers["X-Alertsite-Signature"] == ",".join(expected)
    assert request.headers["Idempotency-Key"].startswith("test-")
    assert request.headers["X-Token"] == "tok-999" and request.headers["X-Monitor"]
    assert json.loads(body) == {"type": "Alert", "token": "tok-999"}
    shown = json.dumps(exchanges[0].request)
    assert "tok-999" not in shown and "first-secret" not in shown
    assert exchanges[0].request["headers"]["X-Token"] == "********"


def test_bearer_and_basic_auth_are_redacted(receiver) -> None:
    receiver.expect_request("/in").respond_with_data("ok")
    integration = custom(receiver.url_for("/in"), auth_type="bearer", auth_token="bearer-{{Token}}")
    exchanges = send_test(integration, "Alert")
    assert receiver.log[-1][0].headers["Authorization"] == "Bearer bearer-tok-999"
    assert exchanges[0].request["headers"]["Authorization"] == "Bearer ********"


def test_no_step_for_the_type_sends_nothing(receiver) -> None:
    integration = custom(receiver.url_for("/in"), handles_ok=False)
    assert send_test(integration, "Ok") == []
    assert receiver.log == []


@pytest.mark.parametrize(
    ("status", "headers", "permanent", "retry_after"),
    [
        (503, {"Retry-After": "7"}, False, 7.0),
        (429, {}, False, None),
        (408, {}, False, None),
        (500, {}, False, None),
        (404, {}, True, None),
        (400, {"Retry-After": "7"}, True, None),
    ],
)
def test_response_classification(receiver, status, headers, permanent, retry_after) -> None:
    receiver.expect_request("/in").respond_with_data(
        "refused: " + "x" * 70000, status=status, headers=headers
    )
    with pytest.raises(TransportError) as caught:
        send_test(custom(receiver.url_for("/in")), "Alert")
    error = caught.value
    assert error.permanent is permanent and error.retry_after == retry_after
    assert error.exchanges[0].status == status
    assert len(error.exchanges[0].body.encode()) <= 64 * 1024


def test_retry_after_http_date() -> None:
    when = timezone.now() + dt.timedelta(seconds=120)
    assert 100 < retry_after_seconds(format_datetime(when, usegmt=True)) <= 120
    assert retry_after_seconds("soon") is None


def test_connection_failure_is_transient(settings) -> None:
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    with pytest.raises(TransportError) as caught:
        send_test(custom("http://127.0.0.1:9/in"), "Alert")
    assert caught.value.permanent is False


def test_loopback_is_refused_without_the_allowlist(settings) -> None:
    settings.OUTBOUND_ALLOWLIST = []
    with pytest.raises(TransportError) as caught:
        send_test(custom("http://127.0.0.1:9/in"), "Alert")
    assert caught.value.permanent is True


def test_send_message_renders_the_alert_snapshot(receiver) -> None:
    receiver.expect_request("/in").respond_with_data("ok")
    integration = custom(
        receiver.url_for("/in"),
        body='{"d": "{{@JsonEncode({{@alert.description}})}}", '
        '"lvl": "{{Level}}", "cf": "{{@CustomField(Team)}}"}',
    )
    IntegrationVariable.objects.create(integration=integration, name="Level", mode="per_level")
    monitor = Monitor.objects.create(key="web", name="Web")
    incident = Incident.objects.create(key="k-1", monitor=monitor, opened_at=timezone.now())
    definition = AlertDefinition.objects.create(name="D")
    variables = catalogue.example_values("Alert")
    variables["@alert.description"] = 'Timeout "30s"\nat step 2'
    variables["customFields"] = {"Team": "ops"}
    alert = Alert.objects.create(
        incident=incident,
        definition=definition,
        definition_name="D",
        level_number=1,
        alert_type="Alert",
        timestamp=timezone.now(),
        variables=variables,
    )
    message = Message.objects.create(
        alert=alert, integration=integration, level_variables={"Level": "L1"}, next_attempt_at=timezone.now()
    )
    with outbound_session() as session:
        exchanges = send_message(message, session)
    request = receiver.log[-1][0]
    assert json.loads(request.get_data()) == {"d": 'Timeout "30s"\nat step 2', "lvl": "L1", "cf": "ops"}
    assert request.headers["Idempotency-Key"] == str(message.pk)
    assert exchanges[0].status == 200


def test_plain_requests_session_works_too(receiver) -> None:
    receiver.expect_request("/in").respond_with_data("ok")
    assert send_test(custom(receiver.url_for("/in")), "Alert", session=requests.Session())[0].status == 200
