"""Delivery renders, transports send: a step renders into a plain Request
from values alone, and the webhook transport sends a Request and classifies
the answer. A built-in kind's message is composed the same way, into a plain
Request (Slack, Twilio) or Mail (e-mail) that its transport sends as given.
No test here may touch the database (pytest-django refuses any query without
the ``db`` fixture), so neither side can read a model."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json

import pytest
from django.core import mail as outbox
from pytest_httpserver import HTTPServer

from integrations import catalogue
from integrations.captures import Capture
from integrations.composing import email as email_composing
from integrations.composing import slack, twilio
from integrations.outbound import outbound_session
from integrations.rendering import Prepared, StepSpec, deliver, render_step, run_chain
from integrations.transports import email, webhook
from integrations.transports.base import Credentials, Mail, Request, TransportError
from integrations.transports.outgoing import Outgoing
from integrations.transports.redact import MASK, Redactor

SECRET = "whsec-plain-1"


def outgoing(**values: object) -> Outgoing:
    fields: dict[str, object] = {
        "kind": "webhook",
        "alert_type": "Alert",
        "context": {"@monitor.name": "Shop", "Base": ""},
        "variables": {},
        "message_id": "m-1",
        "redactor": Redactor(),
        "timeout": (2.0, 5.0),
        **values,
    }
    return Outgoing(**fields)


def test_a_step_renders_into_a_plain_request() -> None:
    step = StepSpec(
        position=1,
        name="open",
        method="POST",
        url="https://hooks.example.com/{{@monitor.name}}",
        headers=(("X-Monitor", "{{@monitor.name}}\nnext line"), (" ", "dropped")),
        body='{"m": "{{@monitor.name}}"}',
        content_type="application/json",
        auth_type="digest",
        auth_username="u-{{@monitor.name}}",
        auth_password="{{Pass}}",
    )
    request, secrets = render_step(step, {"@monitor.name": "Shop", "Pass": "pw-123456"}, {})
    assert request == Request(
        "POST",
        "https://hooks.example.com/Shop",
        {"X-Monitor": "Shop next line", "Content-Type": "application/json"},
        '{"m": "Shop"}',
        Credentials("digest", "u-Shop", "pw-123456"),
    )
    assert secrets == ("pw-123456",)
    bearer = StepSpec(
        position=1, name="", method="GET", url="https://x.example", body="ignored", auth_type="bearer"
    )
    request, secrets = render_step(bearer, {}, {})
    assert request.body is None and "Authorization" not in request.headers and secrets == ("",)


def test_the_webhook_transport_signs_sends_and_classifies(receiver: HTTPServer) -> None:
    receiver.expect_request("/ok", method="POST").respond_with_data("fine")
    receiver.expect_request("/busy").respond_with_data("slow down", status=429, headers={"Retry-After": "7"})
    receiver.expect_request("/bad").respond_with_data("no", status=400)
    out = outgoing(signing_secrets=(SECRET,))
    exchanges: list = []
    with outbound_session(*out.timeout) as session:
        sent = webhook.send(
            out, session, Request("POST", receiver.url_for("/ok"), {}, '{"a": 1}'), exchanges=exchanges
        )
        assert sent.status == 200 and exchanges == [sent]
        with pytest.raises(TransportError) as busy:
            webhook.send(out, session, Request("GET", receiver.url_for("/busy")), exchanges=exchanges)
        with pytest.raises(TransportError) as bad:
            webhook.send(out, session, Request("GET", receiver.url_for("/bad")), exchanges=exchanges)
    request = receiver.log[0][0]
    timestamp = request.headers["X-Alertsite-Timestamp"]
    expected = hmac.new(SECRET.encode(), f'{timestamp}.{{"a": 1}}'.encode(), hashlib.sha256).hexdigest()
    assert request.headers["X-Alertsite-Signature"] == f"v1={expected}"
    assert request.headers["Idempotency-Key"] == "m-1"
    assert not busy.value.permanent and busy.value.retry_after == 7.0
    assert bad.value.permanent and bad.value.retry_after is None
    assert len(bad.value.exchanges) == 3


def test_a_chain_captures_a_secret_and_hides_it(receiver: HTTPServer) -> None:
    receiver.expect_request("/token").respond_with_json({"token": "tok-abcdef-42"})
    receiver.expect_request("/use").respond_with_data("used tok-abcdef-42")
    base = receiver.url_for("/").rstrip("/")
    chain = [
        StepSpec(
            position=1,
            name="login",
            method="POST",
            url=base + "/token",
            captures=(Capture("Token", "json-pointer", "/token"),),
        ),
        StepSpec(
            position=2, name="", method="POST", url=base + "/use", auth_type="bearer", auth_token="{{Token}}"
        ),
    ]
    prepared = Prepared(out=outgoing(), steps=tuple(chain))
    with outbound_session(*prepared.out.timeout) as session:
        exchanges = run_chain(prepared, chain, session)
    assert receiver.log[1][0].headers["Authorization"] == "Bearer tok-abcdef-42"
    assert [r.headers["Idempotency-Key"] for r, _response in receiver.log] == ["m-1-1", "m-1-2"]
    shown = json.dumps([[e.request, e.body] for e in exchanges])
    assert "tok-abcdef-42" not in shown and MASK in exchanges[0].body


EXAMPLES = {
    name: str(value) for name, value in catalogue.example_values("Alert").items() if name.startswith("@")
}


def test_slack_is_composed_into_a_plain_request_and_sent_as_composed(receiver: HTTPServer) -> None:
    url = receiver.url_for("/services/T1/B1/secret-part")
    receiver.expect_request("/services/T1/B1/secret-part", method="POST").respond_with_data("ok")
    out = outgoing(
        kind="slack",
        context=EXAMPLES,
        variables={"WebhookUrl": url},
        redactor=Redactor([url]),
        language="de",
        time_zone="Europe/Berlin",
    )
    request = slack.request(out)
    assert (request.method, request.url, request.headers, request.auth) == (
        "POST",
        url,
        {"Content-Type": "application/json; charset=utf-8"},
        None,
    )
    section = json.loads(request.body or "")["attachments"][0]["blocks"][1]["text"]["text"]
    assert (
        section.startswith("*Fehler:* Step 1")
        and "*Erster Fehler (Europe/Berlin):* 8.11.2018 17:21" in section
    )
    with outbound_session(*out.timeout) as session:
        exchanges = deliver(Prepared(out=out), session)
    assert receiver.log[0][0].get_data(as_text=True) == request.body
    assert exchanges[0].status == 200 and "secret-part" not in json.dumps(exchanges[0].request)
    with pytest.raises(TransportError) as empty:
        slack.request(outgoing(kind="slack"))
    assert empty.value.permanent and empty.value.exchanges == []


def test_twilio_is_composed_with_its_credentials_and_sent(receiver: HTTPServer) -> None:
    receiver.expect_request("/Accounts/AC1/Messages.json", method="POST").respond_with_json({}, status=201)
    out = outgoing(
        kind="sms",
        context=EXAMPLES,
        variables={
            "TwilioAccountSid": "AC1",
            "TwilioAuthToken": "twilio-token-9",
            "FromNumber": "+14155550199",
            "TwilioApiBaseUrl": receiver.url_for("/"),
        },
        recipient="+14155550100",
        language="de",
    )
    request = twilio.request(out)
    assert request.auth == Credentials("basic", "AC1", "twilio-token-9")
    assert request.body == (
        "To=%2B14155550100&From=%2B14155550199&Body=ALARM%3A+GalacticResorts.com+-+DNS+-+Step+1%3A+Navigate"
        "+to+https%3A%2F%2Fwww.galacticresorts.com+failed.%0APlease+use+checklist+THX-1138+to+investigate"
        "+this+issue."
    )
    with outbound_session(*out.timeout) as session:
        exchanges = deliver(Prepared(out=out), session)
    assert receiver.log[0][0].get_data(as_text=True) == request.body
    assert "twilio-token-9" not in json.dumps(exchanges[0].request)


def test_an_email_is_composed_into_a_plain_mail_and_sent_as_composed(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    out = outgoing(
        kind="email",
        context=EXAMPLES,
        variables={"SubjectAlert": "Down:\n{{@monitor.name}}  "},
        recipient="ops@example.com",
        language="nl",
        time_zone="Europe/Amsterdam",
    )
    composed = email_composing.mail(out, {})
    assert (composed.subject, composed.to) == ("Down: GalacticResorts.com - DNS", ("ops@example.com",))
    assert composed.headers == {"X-Alertsite-Message-Id": "m-1"}
    assert "Eerste fout:" in composed.text and "8-11-2018 17:21 (Europe/Amsterdam)" in composed.text
    assert composed.html is not None and '<html lang="nl">' in composed.html
    plain = email_composing.mail(replace_variables(out, UseHtml="false"), {})
    assert plain.html is None and plain.text == composed.text

    exchanges = email.send(composed, redactor=out.redactor)
    # The transport writes nothing of its own: a Mail made by hand is sent as given.
    email.send(
        Mail("Hand-made", "Body as is.", None, "hub@example.com", ("a@example.com",)), redactor=Redactor()
    )
    sent, hand_made = outbox.outbox
    assert (sent.subject, sent.body, sent.to, sent.from_email) == (
        composed.subject,
        composed.text,
        ["ops@example.com"],
        composed.from_email,
    )
    assert sent.alternatives[0][0] == composed.html and sent.extra_headers == composed.headers
    assert (hand_made.subject, hand_made.body, hand_made.alternatives) == ("Hand-made", "Body as is.", [])
    assert exchanges[0].request["headers"]["Subject"] == composed.subject and exchanges[0].status == 250
    with pytest.raises(TransportError) as nobody:
        email_composing.mail(outgoing(kind="email", context=EXAMPLES), {})
    assert nobody.value.permanent


def replace_variables(out: Outgoing, **variables: str) -> Outgoing:
    return dataclasses.replace(out, variables={**out.variables, **variables})
