"""Messages alertsite writes itself go out in the reader's language: an
operator's e-mail, SMS, phone call and acknowledge page in the operator's
language with times in the operator's zone; a channel or an extra address in
the account's language."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import pytest
from django.core import mail
from django.test import Client
from pytest_httpserver import HTTPServer

from alerting.engine import Submission, clock, process_submission
from integrations.delivery import worker
from integrations.models import Message, MessageStatus
from tests.engine import factories as f
from tests.engine.timeline import at
from tests.integrations.test_builtins import builtin

pytestmark = pytest.mark.django_db(transaction=True)

# The error starts at T0, Monday 5 January 2026, 09:00 UTC.
CASES = {
    # language: (time zone, subject, headline, label, local time, acknowledge)
    "en-US": ("America/New_York", "Alert: Shop is failing", "ALERT: Shop is failing.", "First error:",
              "1/5/2026 4:00 AM (America/New_York)", "Acknowledge"),
    "en-GB": ("Europe/London", "Alert: Shop is failing", "ALERT: Shop is failing.", "First error:",
              "5/1/2026 09:00 (Europe/London)", "Acknowledge"),
    "de-DE": ("Europe/Berlin", "Alarm: Shop ist gestört", "ALARM: Shop ist gestört.", "Erster Fehler:",
              "5.1.2026 10:00 (Europe/Berlin)", "Quittieren"),
    "nl-NL": ("Europe/Amsterdam", "Alert: Shop heeft een storing", "ALERT: Shop heeft een storing.",
              "Eerste fout:", "5-1-2026 10:00 (Europe/Amsterdam)", "Bevestigen"),
    "fr-FR": ("Europe/Paris", "Alerte : Shop est en erreur", "ALERTE : Shop est en erreur.",
              "Première erreur :", "5/1/2026 10:00 (Europe/Paris)", "Acquitter"),
}  # fmt: skip
ACK_PATH = re.compile(r"http://testserver(/ack/[^\s\"<]+)")


@pytest.fixture(autouse=True)
def public_base(settings):
    settings.PUBLIC_BASE_URL = "http://testserver"
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def submit_error() -> None:
    with clock.frozen(at(0)):
        process_submission(Submission("shop", "error", at(0), "HTTP 503"))
    ids = list(Message.objects.values_list("pk", flat=True))
    worker.deliver(ids)
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.DELIVERED}


@pytest.mark.parametrize("language", CASES)
def test_an_operators_email_is_in_their_language_and_time_zone(language: str) -> None:
    zone, subject, headline, label, local, acknowledge = CASES[language]
    f.silence_default_definition()
    reader = f.operator("Reader", email="reader@example.com", language=language, time_zone=zone)
    f.definition(
        "Shop alerts",
        [
            {
                "threshold": 1,
                "operators": [reader],
                "integrations": [f.builtin("email")],
                "link": {"extra_email_addresses": ["team@example.com"]},
            }
        ],
        monitors=[f.monitor("shop", name="Shop")],
    )
    submit_error()
    sent = {m.to[0]: m for m in mail.outbox}
    mine = sent["reader@example.com"]
    assert mine.subject == subject
    assert mine.body.startswith(headline)
    assert re.search(rf"^{re.escape(label)}\s+{re.escape(local)}$", mine.body, re.M), mine.body
    html = mine.alternatives[0][0]
    assert f">{acknowledge}</a>" in html and local in html
    # The extra address is nobody's: the account's language (English) and zone (UTC).
    team = sent["team@example.com"]
    assert team.subject == "Alert: Shop is failing"
    assert re.search(r"^First error:\s+1/5/2026 9:00 AM \(UTC\)$", team.body, re.M), team.body

    # The acknowledge page the operator's link opens reads like their e-mail.
    [path] = ACK_PATH.findall(mine.body)
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(path).content.decode()
    assert f'id="acknowledge-button">{acknowledge}</button>' in page


@pytest.mark.parametrize(
    ("language", "sms", "speech", "press_1", "say_language"),
    [
        ("en-US", "ALERT: Shop - HTTP 503", "The error started at 1/5/2026 9:00 AM.", "Press 1", "en-US"),
        (
            "de-DE",
            "ALARM: Shop - HTTP 503",
            "Der Fehler besteht seit 5.1.2026 09:00.",
            "Drücken Sie die 1",
            "de-DE",
        ),
        ("nl-NL", "ALERT: Shop - HTTP 503", "De fout begon op 5-1-2026 09:00.", "Druk op 1", "nl-NL"),
        (
            "fr-FR",
            "ALERTE : Shop - HTTP 503",
            "L’erreur a commencé le 5/1/2026 09:00.",
            "Appuyez sur 1",
            "fr-FR",
        ),
    ],
)
def test_sms_and_phone_call_in_the_operators_language(
    httpserver: HTTPServer, language: str, sms: str, speech: str, press_1: str, say_language: str
) -> None:
    httpserver.expect_request("/Accounts/AC1/Messages.json").respond_with_json({"sid": "SM1"}, status=201)
    httpserver.expect_request("/Accounts/AC1/Calls.json").respond_with_json({"sid": "CA1"}, status=201)
    twilio = {
        "TwilioAccountSid": "AC1",
        "TwilioAuthToken": "secret-token",
        "FromNumber": "+14155550199",
        "TwilioApiBaseUrl": httpserver.url_for(""),
    }
    f.silence_default_definition()
    reader = f.operator("Reader", email="r@example.com", mobile_phone="+14155550100", language=language)
    f.definition(
        "Shop alerts",
        [
            {
                "threshold": 1,
                "operators": [reader],
                "integrations": [builtin("sms", **twilio), builtin("phone", **twilio)],
            }
        ],
        monitors=[f.monitor("shop", name="Shop")],
    )
    submit_error()
    forms = {request.path: parse_qs(request.get_data(as_text=True)) for request, _ in httpserver.log}
    assert forms["/Accounts/AC1/Messages.json"]["Body"] == [sms]
    twiml = forms["/Accounts/AC1/Calls.json"]["Twiml"][0]
    assert f'<Say voice="alice" language="{say_language}" loop="2">' in twiml
    assert speech in twiml and press_1 in twiml


def test_the_translated_default_subjects_are_the_kinds_defaults() -> None:
    from integrations import kinds
    from integrations.composing.email import DEFAULT_SUBJECTS

    defaults = {s.default for s in kinds.variable_specs("email") if s.name.startswith("Subject")}
    assert set(DEFAULT_SUBJECTS) == defaults


def test_a_channel_message_is_in_the_accounts_language(settings, httpserver: HTTPServer) -> None:
    settings.ACCOUNT_LANGUAGE = "de"
    settings.TIME_ZONE = "Europe/Berlin"
    httpserver.expect_request("/slack").respond_with_data("ok")
    f.silence_default_definition()
    slack = builtin("slack", WebhookUrl=httpserver.url_for("/slack"))
    reader = f.operator("Reader", email="reader@example.com", language="fr-FR")
    f.definition(
        "Shop alerts",
        [{"threshold": 1, "operators": [reader], "integrations": [slack]}],
        monitors=[f.monitor("shop", name="Shop")],
    )
    submit_error()
    [(request, _response)] = httpserver.log
    body = request.get_json()
    assert body["text"] == "Alarm: Shop – HTTP 503"
    blocks = body["attachments"][0]["blocks"]
    assert blocks[0]["text"]["text"] == "Alarm: Shop"
    assert "*Fehler:* HTTP 503" in blocks[1]["text"]["text"]
    assert "*Erster Fehler (Europe/Berlin):* 5.1.2026 10:00" in blocks[1]["text"]["text"]
    assert blocks[-1]["elements"][0]["text"]["text"] == "Quittieren"


def test_the_preset_phrase_list_is_the_phrases_in_the_presets() -> None:
    from integrations import presets
    from integrations.presets.phrases import PHRASES

    in_files = set().union(*(presets.marked_phrases(list(p.raw_steps)) for p in presets.presets().values()))
    assert set(PHRASES) == in_files


def test_translated_preset_phrases_keep_their_placeholders() -> None:
    import polib

    from integrations.presets.phrases import PHRASES
    from tests.foundation.test_translations import LANGUAGES, catalogue

    placeholder = re.compile(r"\{\{.*?\}\}\)?\}?\}?")
    for language in LANGUAGES:
        entries: dict[str, polib.POEntry] = {e.msgid: e for e in catalogue(language)}
        for phrase in PHRASES:
            translated = entries[phrase].msgstr
            assert sorted(placeholder.findall(translated)) == sorted(placeholder.findall(phrase)), (
                language,
                phrase,
            )


def test_a_preset_is_written_in_the_accounts_language(settings, httpserver: HTTPServer) -> None:
    from integrations.models import Integration
    from integrations.provisioning import apply_preset
    from integrations.sending import send_test

    settings.ACCOUNT_LANGUAGE = "de"
    httpserver.expect_request("/teams").respond_with_data("1", status=202)
    teams = apply_preset(Integration.objects.create(name="Teams", kind="webhook"), "microsoft-teams")
    url = teams.variables.get(name="WorkflowUrl")
    url.secret_value = httpserver.url_for("/teams")  # a webhook URL is its credential
    url.save()
    send_test(teams, "Alert")
    card = httpserver.log[-1][0].get_json()["attachments"][0]["content"]
    facts = {fact["title"] for fact in card["body"][2]["facts"]}
    assert {"Monitor", "Geprüft", "Erster Fehler (UTC)", "Alarmdefinition", "Nachricht"} <= facts
    assert [action["title"] for action in card["actions"]][:2] == ["Quittieren", "Monitor-Dashboard"]

    send_test(teams, "Ok")
    card = httpserver.log[-1][0].get_json()["attachments"][0]["content"]
    assert card["body"][0]["text"].startswith("OK: ") and card["body"][0]["text"].endswith(
        " wieder erreichbar"
    )

    # In English (the default), the same preset reads as before.
    settings.ACCOUNT_LANGUAGE = "en"
    english = apply_preset(Integration.objects.create(name="Teams EN", kind="webhook"), "microsoft-teams")
    assert '"title": "Acknowledge"' in english.steps.get(position=1).body
    assert "⟦" not in english.steps.get(position=1).body
