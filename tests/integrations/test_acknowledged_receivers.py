"""The Acknowledged message type end to end: acknowledging records an
Acknowledged alert per fired level and messages for the links that want it;
delivery sends each receiver's documented acknowledge request, checked here
byte for byte at a local receiver standing in for the vendor."""

from __future__ import annotations

import json

import pytest

from alerting.engine import Submission, clock, process_submission
from alerting.engine.acknowledgement import acknowledge
from alerting.models import Incident
from integrations.delivery import worker
from integrations.models import IntegrationStep, Message, MessageStatus
from tests.engine import factories as f
from tests.engine.timeline import at
from tests.integrations.conftest import base_url
from tests.integrations.test_builtins import builtin

pytestmark = pytest.mark.django_db(transaction=True)

ROUTING = "0123456789abcdef0123456789abcdef"


def open_and_deliver(integrations) -> Incident:
    f.silence_default_definition()
    f.definition(
        "Ops", [{"threshold": 1, "integrations": integrations}, {"threshold": 5}], groups=[f.all_monitors()]
    )
    with clock.frozen(at(0)):
        process_submission(Submission("web", "error", at(0), "HTTP 503"))
    worker.deliver(list(Message.objects.values_list("pk", flat=True)))
    return Incident.objects.get()


def ack_and_deliver(incident: Incident) -> list[Message]:
    with clock.frozen(at(2)):
        _, raised = acknowledge(incident.key, by="Dana Scully", note="failing over the database")
    messages = list(Message.objects.filter(pk__in=raised.message_ids).select_related("integration"))
    assert worker.deliver([m.pk for m in messages]) == len(messages)
    for message in messages:
        message.refresh_from_db()
        assert message.status == MessageStatus.DELIVERED, message.error
    return messages


def requests_to(receiver, path: str) -> list:
    return [request for request, _ in receiver.log if request.path == path]


def test_pagerduty_acknowledge_event(receiver):
    receiver.expect_request("/v2/enqueue", method="POST").respond_with_json(
        {"status": "success", "message": "Event processed"}, status=202
    )
    pagerduty = builtin("pagerduty", RoutingKey=ROUTING, EventsUrl=receiver.url_for("/v2/enqueue"))
    incident = open_and_deliver([pagerduty])
    [trigger] = requests_to(receiver, "/v2/enqueue")
    assert trigger.get_json()["event_action"] == "trigger"
    [message] = ack_and_deliver(incident)
    assert message.alert.alert_type == "Acknowledged"
    # It waits for the trigger it refers to.
    assert message.depends_on_id == Message.objects.get(alert__alert_type="Alert").pk
    request = requests_to(receiver, "/v2/enqueue")[-1]
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.data) == {
        "routing_key": ROUTING,
        "dedup_key": incident.key,
        "event_action": "acknowledge",
    }


def test_opsgenie_acknowledge_by_alias(make_preset, receiver):
    receiver.expect_request("/v2/alerts", method="POST").respond_with_json({"result": "ok"}, status=202)
    path = "/v2/alerts/{key}/acknowledge"
    opsgenie = make_preset("opsgenie", {"ApiKey": "genie-secret-1", "ApiBaseUrl": base_url(receiver)})
    incident = open_and_deliver([opsgenie])
    receiver.expect_request(path.format(key=incident.key), method="POST").respond_with_json(
        {"result": "Request will be processed"}, status=202
    )
    ack_and_deliver(incident)
    request = receiver.log[-1][0]
    assert request.path == path.format(key=incident.key)
    assert request.query_string == b"identifierType=alias"
    assert request.headers["Authorization"] == "GenieKey genie-secret-1"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.data) == {
        "user": "Dana Scully",
        "source": "alertsite",
        "note": "failing over the database",
    }


def test_splunk_on_call_acknowledgement(make_preset, receiver):
    receiver.expect_request(
        "/integrations/generic/20131114/alert/key-1/ops", method="POST"
    ).respond_with_json({"result": "success"})
    splunk = make_preset(
        "splunk-on-call",
        {
            "SplunkOnCallUrl": receiver.url_for("/integrations/generic/20131114/alert/key-1"),
            "RoutingKey": "ops",
        },
    )
    incident = open_and_deliver([splunk])
    assert json.loads(receiver.log[0][0].data)["message_type"] == "CRITICAL"
    ack_and_deliver(incident)
    assert json.loads(receiver.log[-1][0].data) == {
        "message_type": "ACKNOWLEDGEMENT",
        "entity_id": incident.key,
        "ack_author": "Dana Scully",
        "ack_msg": "failing over the database",
        "monitoring_tool": "alertsite",
    }


def test_custom_steps_get_it_only_when_they_ask(receiver):
    receiver.expect_request("/hook", method="POST").respond_with_data("ok")
    asks, silent = f.webhook("asks"), f.webhook("silent")
    for hook in (asks, silent):
        IntegrationStep.objects.filter(integration=hook).update(url=receiver.url_for("/hook"))
    IntegrationStep.objects.create(
        integration=asks,
        position=2,
        handles_alert=False,
        handles_ok=False,
        handles_reminder=False,
        handles_acknowledged=True,
        url=receiver.url_for("/hook"),
        body='{"state": "{{@alert.type}}", "by": "{{@JsonEncode({{@incident.acknowledgedBy}})}}", '
        '"incident": "{{@incident.key}}"}',
    )
    chat = f.integration("Chat", kind="slack")  # a built-in kind without an incident state of its own
    incident = open_and_deliver([asks, silent, chat])
    messages = ack_and_deliver(incident)
    assert [m.integration.name for m in messages] == ["asks"]
    assert json.loads(receiver.log[-1][0].data) == {
        "state": "Acknowledged",
        "by": "Dana Scully",
        "incident": incident.key,
    }


def test_a_new_step_does_not_handle_acknowledged_by_default(db):
    hook = f.webhook("plain")
    assert IntegrationStep.objects.get(integration=hook).handles_acknowledged is False
    assert IntegrationStep(url="https://x.example/").handles_acknowledged is False
