"""Phone: "press 1 to acknowledge". The call's TwiML gathers a key and points
Twilio at /hooks/twilio/voice/<token>; that post must carry the
X-Twilio-Signature of the integration's auth token (Twilio's documented
HMAC-SHA1 over the URL and the sorted POST parameters), else 403."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.test import Client

from alerting.engine import Submission, clock, process_submission
from alerting.models import AuditEntry, Incident
from integrations.delivery import worker
from integrations.models import Message, MessageStatus
from integrations.sending import send_test
from integrations.transports.twilio import request_signature
from tests.engine import factories as f
from tests.engine.timeline import at
from tests.integrations.test_builtins import TWILIO, builtin

pytestmark = pytest.mark.django_db(transaction=True)

AUTH_TOKEN = TWILIO["TwilioAuthToken"]
ACTION = re.compile(r'<Gather numDigits="1" timeout="10" method="POST" action="([^"]+)">')
CALL = {"AccountSid": "AC123", "CallSid": "CA42", "From": "+14155550199", "To": "+14155550100"}


def test_the_signature_is_twilios_documented_example():
    # The worked example of Twilio's webhook security documentation.
    params = [
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+12349013030"),
        ("Digits", "1234"),
        ("From", "+12349013030"),
        ("To", "+18005551212"),
    ]
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert request_signature("12345", url, params) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    assert request_signature("12345", url, list(reversed(params))) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


@pytest.fixture
def called(receiver, settings):
    """An error phoned to Dana through Twilio (a local receiver); returns the
    incident and the callback URL in the call's TwiML."""
    settings.PUBLIC_BASE_URL = "https://alerts.example.com"
    receiver.expect_request("/Accounts/AC123/Calls.json", method="POST").respond_with_json(
        {"sid": "CA42", "status": "queued"}, status=201
    )
    phone = builtin("phone", TwilioApiBaseUrl=receiver.url_for("/").rstrip("/"), **TWILIO)
    f.silence_default_definition()
    dana = f.operator("Dana Scully", mobile_phone="+14155550100")
    f.definition(
        "Ops", [{"threshold": 1, "operators": [dana], "integrations": [phone]}], groups=[f.all_monitors()]
    )
    with clock.frozen(at(0)):
        process_submission(Submission("web", "error", at(0), "HTTP 503"))
    assert worker.deliver(list(Message.objects.values_list("pk", flat=True))) == 1
    assert Message.objects.get().status == MessageStatus.DELIVERED
    form = receiver.log[-1][0].form
    assert form["To"] == "+14155550100"
    twiml = form["Twiml"]
    assert twiml.startswith('<Response><Gather numDigits="1" timeout="10" method="POST" action="https://')
    assert twiml.endswith(
        '<Say voice="alice" language="en-US">Press 1 to acknowledge.</Say></Gather></Response>'
    )
    assert "HTTP 503" in twiml
    action = unescape(ACTION.search(twiml).group(1))
    assert action.startswith("https://alerts.example.com/hooks/twilio/voice/")
    return Incident.objects.get(), action


def press(action: str, digits: str | None, token: str = AUTH_TOKEN, signature: str | None = None):
    params = {**CALL, **({"Digits": digits} if digits is not None else {})}
    if signature is None:
        signature = request_signature(token, action, params.items())
    return Client().post(urlsplit(action).path, params, HTTP_X_TWILIO_SIGNATURE=signature)


def test_pressing_1_acknowledges_as_the_person_called(called):
    incident, action = called
    answer = press(action, "1")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/xml")
    assert answer.content.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Response><Say language="en-US">The incident is acknowledged. Goodbye.</Say></Response>'
    )
    incident.refresh_from_db()
    assert incident.acknowledged_by == "Dana Scully"
    # The audit log: acknowledged by the person called, by phone.
    entry = AuditEntry.objects.get(object_type="alerting.incident")
    assert (entry.actor, entry.channel, entry.summary) == ("Dana Scully", "phone", "acknowledged")
    assert AUTH_TOKEN not in str(entry.changes)


def test_another_key_or_none_acknowledges_nothing(called):
    incident, action = called
    for digits in ("2", None, "#"):
        answer = press(action, digits)
        assert answer.status_code == 200 and "Nothing was acknowledged" in answer.content.decode()
    incident.refresh_from_db()
    assert incident.acknowledged_at is None


@pytest.mark.parametrize("how", ["wrong token", "missing", "tampered"])
def test_a_bad_signature_is_403(called, how):
    incident, action = called
    if how == "wrong token":
        answer = press(action, "1", token="someone-elses-token")
    elif how == "missing":
        answer = press(action, "1", signature="")
    else:
        # Signed for Digits=2, sent with Digits=1.
        signature = request_signature(AUTH_TOKEN, action, {**CALL, "Digits": "2"}.items())
        answer = press(action, "1", signature=signature)
    assert answer.status_code == 403
    incident.refresh_from_db()
    assert incident.acknowledged_at is None


def test_a_resolved_incident_is_said_so(called):
    incident, action = called
    with clock.frozen(at(3)):
        process_submission(Submission("web", "ok", at(3)))
    answer = press(action, "1")
    assert answer.status_code == 200 and "already resolved" in answer.content.decode()
    incident.refresh_from_db()
    assert incident.acknowledged_at is None


def test_bad_tokens_and_methods(called):
    _, action = called
    path = urlsplit(action).path
    assert Client().get(path).status_code == 405
    assert press(action.replace("/voice/", "/voice/x"), "1").status_code == 404
    assert Client().post("/hooks/twilio/voice/not-a-token", {"Digits": "1"}).status_code == 404


def test_a_test_call_offers_no_acknowledgement(receiver):
    receiver.expect_request("/Accounts/AC123/Calls.json", method="POST").respond_with_json(
        {"sid": "CA1"}, status=201
    )
    phone = builtin("phone", TwilioApiBaseUrl=receiver.url_for("/").rstrip("/"), **TWILIO)
    send_test(phone, "Alert", recipient="+14155550100")
    twiml = receiver.log[-1][0].form["Twiml"]
    assert "<Gather" not in twiml and twiml.startswith(
        '<Response><Say voice="alice" language="en-US" loop="2">'
    )


def test_a_phone_never_calls_for_ok_or_acknowledged(receiver):
    phone = builtin("phone", TwilioApiBaseUrl=receiver.url_for("/").rstrip("/"), **TWILIO)
    assert send_test(phone, "Ok", recipient="+14155550100") == []
    assert send_test(phone, "Acknowledged", recipient="+14155550100") == []
    assert receiver.log == []
