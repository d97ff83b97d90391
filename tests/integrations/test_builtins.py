"""The built-in kinds: e-mail, SMS, phone, Slack, PagerDuty and StatusHub."""

from __future__ import annotations

import base64
import json

import pytest
from django.core import mail

from integrations import catalogue, kinds, provisioning
from integrations.composing import slack
from integrations.models import Integration, IntegrationKind, StatusHubService
from integrations.sending import send_test
from integrations.transports.base import TransportError
from tests.integrations import hostile

pytestmark = pytest.mark.django_db
EXAMPLES = catalogue.example_values("Alert")


def builtin(kind: str, **values: str) -> Integration:
    integration = Integration.objects.create(name=f"{kind} test", kind=kind)
    provisioning.ensure_kind_variables(integration)
    for variable in integration.variables.all():
        if variable.name in values:
            if variable.is_secret:
                variable.secret_value = values[variable.name]
            else:
                variable.value = values[variable.name]
            variable.save()
    return integration


def test_every_kind_declares_typed_variables() -> None:
    assert {s.name for s in kinds.variable_specs("slack") if s.secret} == {"WebhookUrl"}
    pagerduty = {s.name: s for s in kinds.variable_specs("pagerduty")}
    assert pagerduty["RoutingKey"].secret and "warning" in pagerduty["Severity"].choices
    sms = {s.name: s for s in kinds.variable_specs("sms")}
    assert sms["TwilioAuthToken"].secret and not sms["TwilioAccountSid"].secret


@pytest.mark.parametrize("use_html", ["true", "false"])
def test_email_both_parts_and_subject(settings, use_html: str) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    integration = builtin(
        "email",
        SubjectReminder="Still down: {{@monitor.name}} since {{@alert.firstErrorUtc}}",
        UseHtml=use_html,
    )
    exchanges = send_test(integration, "Reminder", recipient="ops@example.com")
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["ops@example.com"]
    assert sent.subject == f"Still down: {EXAMPLES['@monitor.name']} since {EXAMPLES['@alert.firstErrorUtc']}"
    assert "REMINDER" in sent.body and EXAMPLES["@escalationLevel.message"] in sent.body
    assert EXAMPLES["@monitor.dashboardUrl"] in sent.body
    if use_html == "true":
        html, mimetype = sent.alternatives[0]
        assert mimetype == "text/html"
        assert (
            EXAMPLES["@escalationLevel.message"] in html and 'href="' + EXAMPLES["@monitor.editUrl"] in html
        )
    else:
        assert sent.alternatives == []
    assert exchanges[0].request["headers"]["Subject"] == sent.subject


def test_email_escapes_html_and_keeps_text_raw(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from integrations.rendering import deliver
    from integrations.sending import build_test_message

    prepared = build_test_message(builtin("email"), "Alert", recipient="a@example.com")
    prepared.out.context["@alert.description"] = "<script>x</script> & more"
    deliver(prepared, session=None)  # e-mail needs no HTTP session
    sent = mail.outbox[0]
    assert "<script>x</script> & more" in sent.body
    assert "&lt;script&gt;" in sent.alternatives[0][0] and "<script>" not in sent.alternatives[0][0]


def test_email_needs_a_recipient() -> None:
    with pytest.raises(TransportError) as caught:
        send_test(builtin("email"), "Alert")
    assert caught.value.permanent


TWILIO = {"TwilioAccountSid": "AC123", "TwilioAuthToken": "twilio-token-1", "FromNumber": "+14155550199"}


def test_sms_is_form_encoded(receiver) -> None:
    receiver.expect_request("/Accounts/AC123/Messages.json", method="POST").respond_with_json(
        {"sid": "SM1", "status": "queued"}, status=201
    )
    integration = builtin("sms", TwilioApiBaseUrl=receiver.url_for("/").rstrip("/"), **TWILIO)
    exchanges = send_test(integration, "Alert", recipient="+14155550100")
    request = receiver.log[-1][0]
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"AC123:twilio-token-1").decode()
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = request.form
    assert form["To"] == "+14155550100" and form["From"] == "+14155550199"
    assert form["Body"].startswith(f"ALERT: {EXAMPLES['@monitor.name']}") and len(form["Body"]) <= 1600
    assert "twilio-token-1" not in json.dumps(exchanges[0].request)


def test_sms_is_cut_to_1600(receiver) -> None:
    from integrations.composing import twilio
    from integrations.sending import build_test_message

    out = build_test_message(builtin("sms", **TWILIO), "Alert", recipient="+14155550100").out
    out.context["@alert.description"] = "x" * 5000
    assert len(twilio.sms_text(out)) == 1600


def test_phone_calls_with_twiml_and_never_for_ok(receiver) -> None:
    receiver.expect_request("/Accounts/AC123/Calls.json", method="POST").respond_with_json(
        {"sid": "CA1"}, status=201
    )
    integration = builtin("phone", TwilioApiBaseUrl=receiver.url_for("/").rstrip("/"), **TWILIO)
    send_test(integration, "Alert", recipient="+14155550100")
    form = receiver.log[-1][0].form
    assert form["To"] == "+14155550100" and form["From"] == "+14155550199"
    assert form["Twiml"].startswith('<Response><Say voice="alice" language="en-US" loop="2">') and form[
        "Twiml"
    ].endswith("</Response>")
    assert EXAMPLES["@monitor.name"] in form["Twiml"]
    assert send_test(integration, "Ok", recipient="+14155550100") == []
    assert len(receiver.log) == 1


def test_twiml_is_cut_to_4000_without_breaking_entities() -> None:
    from integrations.composing import twilio
    from integrations.sending import build_test_message

    out = build_test_message(builtin("phone", **TWILIO), "Alert", recipient="+14155550100").out
    out.context["@alert.description"] = "<&>" * 3000
    twiml = twilio.twiml(out)
    assert len(twiml) <= 4000 and twiml.endswith("</Say></Response>")
    assert twiml.rsplit("</Say>", 1)[0].rstrip(";").count("&") == twiml.count(";")


def test_twilio_settings_missing_is_permanent() -> None:
    with pytest.raises(TransportError) as caught:
        send_test(builtin("sms"), "Alert", recipient="+14155550100")
    assert caught.value.permanent and "TwilioAccountSid" in str(caught.value)


@pytest.mark.parametrize(("alert_type", "colour"), [("Alert", "#E01E5A"), ("Ok", "#2EB67D")])
def test_slack_block_kit(receiver, alert_type: str, colour: str) -> None:
    receiver.expect_request("/services/T1/B1/secretpart", method="POST").respond_with_data("ok")
    integration = builtin("slack", WebhookUrl=receiver.url_for("/services/T1/B1/secretpart"))
    exchanges = send_test(integration, alert_type)
    body = receiver.log[-1][0].get_json()
    assert body["text"].startswith(f"{alert_type}: {EXAMPLES['@monitor.name']}")
    attachment = body["attachments"][0]
    assert attachment["color"] == colour
    blocks = attachment["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": f"{alert_type}: {EXAMPLES['@monitor.name']}"},
    }
    assert any(EXAMPLES["@escalationLevel.message"] in b.get("text", {}).get("text", "") for b in blocks)
    assert "secretpart" not in json.dumps(exchanges[0].request)


@pytest.mark.parametrize("alert_type", ["Alert", "Ok", "Reminder"])
def test_slack_escapes_text_and_fallback(receiver, alert_type: str) -> None:
    """Slack reads top-level ``text`` and ``fallback`` as mrkdwn: ``<!channel>``
    from a description must arrive as ``&lt;!channel&gt;`` and cannot ping."""
    receiver.expect_request("/services/T1/B1/x", method="POST").respond_with_data("ok")
    integration = builtin("slack", WebhookUrl=receiver.url_for("/services/T1/B1/x"))
    hostile.send(integration, alert_type)
    body = receiver.log[-1][0].get_json()
    expected = (
        f'{alert_type}: Shop "EU" &lt;!here&gt; &amp; co\\ – &lt;!channel&gt; HTTP 503 &amp; '
        '&lt;@U024BE7LH&gt;\n"quoted" \\ back &gt; 1'
    )
    assert body["text"] == expected
    assert body["attachments"][0]["fallback"] == expected
    sections = [b["text"]["text"] for b in body["attachments"][0]["blocks"] if b["type"] == "section"]
    assert sections[-1] == "Call &lt;!everyone&gt; &amp; page\n'ops' \\o/"
    # Every mrkdwn text is escaped; the header is plain_text, which Slack never parses.
    mrkdwn = [b["text"]["text"] for b in body["attachments"][0]["blocks"] if b["type"] == "section"]
    assert not any("<!" in text for text in mrkdwn)


def test_slack_cut_never_leaves_half_an_entity(receiver) -> None:
    receiver.expect_request("/hook", method="POST").respond_with_data("ok")
    integration = builtin("slack", WebhookUrl=receiver.url_for("/hook"))
    prefix = "Alert: " + hostile.HOSTILE["@monitor.name"] + " – "
    # Place "&" so that its entity straddles the 3000-character cut.
    filler = "x" * (slack.TEXT_LIMIT - 1 - len(slack.escape(prefix)) - 2)
    hostile.send(integration, "Alert", **{"@alert.description": filler + "&&&&"})
    text = receiver.log[-1][0].get_json()["text"]
    assert len(text) <= slack.TEXT_LIMIT and text.endswith("x…")


def test_slack_refusal_is_permanent(receiver) -> None:
    receiver.expect_request("/hook").respond_with_data("no_service", status=404)
    with pytest.raises(TransportError) as caught:
        send_test(builtin("slack", WebhookUrl=receiver.url_for("/hook")), "Alert")
    assert caught.value.permanent and "no_service" in str(caught.value)


def test_pagerduty_trigger_and_resolve(receiver) -> None:
    receiver.expect_request("/v2/enqueue", method="POST").respond_with_json({"status": "success"}, status=202)
    integration = builtin(
        "pagerduty",
        RoutingKey="0123456789abcdef0123456789abcdef",
        Severity="warning",
        EventsUrl=receiver.url_for("/v2/enqueue"),
    )
    exchanges = send_test(integration, "Alert")
    event = receiver.log[-1][0].get_json()
    assert event["event_action"] == "trigger" and event["dedup_key"] == EXAMPLES["@incident.key"]
    assert event["routing_key"] == "0123456789abcdef0123456789abcdef"
    payload = event["payload"]
    assert payload["severity"] == "warning" and payload["source"] and 0 < len(payload["summary"]) <= 1024
    assert payload["custom_details"]["Message"] == EXAMPLES["@escalationLevel.message"]
    assert payload["timestamp"] == EXAMPLES["@alert.timestampUtc"] + "Z"
    assert "0123456789abcdef0123456789abcdef" not in json.dumps(exchanges[0].request)

    send_test(integration, "Ok")
    assert receiver.log[-1][0].get_json() == {
        "routing_key": "0123456789abcdef0123456789abcdef",
        "dedup_key": EXAMPLES["@incident.key"],
        "event_action": "resolve",
    }


def test_statushub_posts_to_each_service(receiver) -> None:
    receiver.expect_request("/hooks/uptrends", method="POST").respond_with_data("ok")
    integration = Integration.objects.create(name="sh", kind=IntegrationKind.STATUSHUB)
    for name, token in (("API", "tok-a1"), ("Web", "tok-b2")):
        StatusHubService.objects.create(
            integration=integration,
            name=name,
            webhook_url=receiver.url_for("/hooks/uptrends") + f"?token={token}",
        )
    exchanges = send_test(integration, "Alert")
    assert [r.args["token"] for r, _ in receiver.log] == ["tok-a1", "tok-b2"]
    bodies = [json.loads(r.get_data()) for r, _ in receiver.log]
    assert [b["service"] for b in bodies] == [
        {"name": "API", "status": "Service disruption"},
        {"name": "Web", "status": "Service disruption"},
    ]
    assert (
        bodies[0]["incident"]["key"] == EXAMPLES["@incident.key"]
        and bodies[0]["incident_status"] == "Investigating"
    )
    assert all("tok-" not in json.dumps(e.request) for e in exchanges)
    send_test(integration, "Ok")
    assert json.loads(receiver.log[-1][0].get_data())["service"]["status"] == "Service is operating normally"
    assert send_test(integration, "Reminder") == []


def test_statushub_without_services_is_a_configuration_error() -> None:
    integration = Integration.objects.create(name="sh", kind=IntegrationKind.STATUSHUB)
    with pytest.raises(TransportError) as caught:
        send_test(integration, "Alert")
    assert caught.value.permanent


def test_sms_through_a_generic_gateway_step(receiver) -> None:
    from integrations.models import IntegrationStep

    receiver.expect_request("/send", method="POST").respond_with_json({"queued": True})
    integration = builtin("sms")
    IntegrationStep.objects.create(
        integration=integration,
        position=1,
        url=receiver.url_for("/send"),
        body='{"to": "{{Recipient}}", "text": "{{@JsonEncode({{Text}})}}"}',
    )
    send_test(integration, "Alert", recipient="+14155550100")
    body = receiver.log[-1][0].get_json()
    assert body["to"] == "+14155550100" and body["text"].startswith("ALERT: ")
