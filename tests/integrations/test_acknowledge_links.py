"""{{@incident.acknowledgeUrl}}: signed per recipient, delivered in the e-mail,
GET shows and changes nothing, only the POST acknowledges; tampered, foreign
or expired links and resolved incidents acknowledge nothing."""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail, signing
from django.test import Client

from alerting.ack_links import SALT, acknowledge_url, make_token, read_token
from alerting.engine import Submission, clock, process_submission
from alerting.models import Incident
from integrations.delivery import worker
from integrations.models import Message, MessageStatus
from tests.engine import factories as f
from tests.engine.timeline import at
from tests.integrations.test_builtins import builtin

pytestmark = pytest.mark.django_db(transaction=True)

URL = re.compile(r"http://testserver(/ack/[^\s\"<]+)")


@pytest.fixture(autouse=True)
def public_base(settings):
    settings.PUBLIC_BASE_URL = "http://testserver"
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]


def submit(status: str, minute: float, monitor: str = "web") -> None:
    with clock.frozen(at(minute)):
        process_submission(Submission(monitor, status, at(minute), "down" if status == "error" else ""))


@pytest.fixture
def emailed() -> Incident:
    """An error e-mailed to Ann (and an extra address) by the built-in e-mail integration."""
    f.silence_default_definition()
    ann = f.operator("Ann Ops", email="ann@example.com")
    f.definition(
        "Ops",
        [
            {
                "threshold": 1,
                "operators": [ann],
                "integrations": [f.builtin("email")],
                "link": {"extra_email_addresses": ["oncall@example.com"], "send_ok_alerts": True},
            },
            {"threshold": 3, "integrations": [f.builtin("email")], "operators": [ann]},
        ],
        groups=[f.all_monitors()],
    )
    submit("error", 0)
    ids = list(Message.objects.values_list("pk", flat=True))
    assert worker.deliver(ids) == 2
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.DELIVERED}
    return Incident.objects.get()


def link_in(message: mail.EmailMessage) -> str:
    found = URL.findall(message.body)
    assert len(found) == 1, message.body
    html = message.alternatives[0][0]
    assert f'href="http://testserver{found[0]}"' in html
    return found[0]


def test_each_recipient_gets_a_link_that_acknowledges_as_them(emailed):
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"ann@example.com", "oncall@example.com"}
    ann_link, extra_link = link_in(by_address["ann@example.com"]), link_in(by_address["oncall@example.com"])
    assert ann_link != extra_link
    assert read_token(ann_link.removeprefix("/ack/")).who == "Ann Ops"
    assert read_token(extra_link.removeprefix("/ack/")).who == "oncall@example.com"
    client = Client()
    page = client.get(ann_link)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="acknowledge-button"' in html and "as Ann Ops" in html and "web" in html
    assert page["Referrer-Policy"] == "no-referrer" and "no-store" in page["Cache-Control"]
    answer = client.post(ann_link, {"note": "looking"})
    assert answer.status_code == 200
    assert 'id="acknowledged-message"' in answer.content.decode()
    emailed.refresh_from_db()
    assert (emailed.acknowledged_by, emailed.acknowledgement_note) == ("Ann Ops", "looking")
    # Acknowledged: the errors reaching level 2 e-mail nobody.
    submit("error", 1)
    submit("error", 2)
    assert Message.objects.count() == 2


def test_get_and_head_change_nothing(emailed):
    link = link_in(mail.outbox[0])
    client = Client()
    for _ in range(3):  # a link scanner, a chat unfurler, a preview
        assert client.get(link).status_code == 200
        assert client.head(link).status_code == 200
    emailed.refresh_from_db()
    assert emailed.acknowledged_at is None
    assert client.put(link).status_code == 405


def test_the_ok_mail_has_no_link_and_a_resolved_incident_refuses(emailed):
    link = link_in(mail.outbox[0])
    submit("ok", 5)
    ok_ids = list(Message.objects.filter(status=MessageStatus.PENDING).values_list("pk", flat=True))
    worker.deliver(ok_ids)
    ok_mail = mail.outbox[-1]
    assert ok_mail.subject.startswith("Ok:") and "/ack/" not in ok_mail.body
    assert "/ack/" not in ok_mail.alternatives[0][0]
    page = Client().get(link)
    assert page.status_code == 200 and 'id="resolved-message"' in page.content.decode()
    assert 'id="acknowledge-button"' not in page.content.decode()
    assert Client().post(link).status_code == 410
    emailed.refresh_from_db()
    assert emailed.acknowledged_at is None


def test_a_tampered_or_foreign_token_is_refused(emailed):
    link = link_in(mail.outbox[0])
    token = link.removeprefix("/ack/")
    other = "/ack/" + signing.dumps({"i": emailed.key, "w": "Mallory"}, salt="another-salt", compress=True)
    forged = "/ack/" + token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    for bad in (forged, other, "/ack/not-a-token", "/ack/" + make_token("no-such-incident", "Ann")):
        assert Client().post(bad).status_code == 404, bad
        assert Client().get(bad).status_code == 404
    emailed.refresh_from_db()
    assert emailed.acknowledged_at is None


def test_a_link_is_valid_for_its_incident_only(emailed):
    submit("error", 1, monitor="db")
    db = Incident.objects.get(monitor__key="db")
    link = link_in(mail.outbox[0])
    Client().post(link)
    db.refresh_from_db()
    emailed.refresh_from_db()
    assert emailed.acknowledged_at is not None and db.acknowledged_at is None


def test_an_expired_link_is_refused(emailed, settings, monkeypatch):
    settings.ACK_LINK_MAX_AGE_DAYS = 2
    now = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now - 3 * 86400)
    old = acknowledge_url(emailed.key, "Ann").removeprefix("http://testserver")
    monkeypatch.setattr(signing.time, "time", lambda: now - 1 * 86400)
    recent = acknowledge_url(emailed.key, "Ann").removeprefix("http://testserver")
    monkeypatch.undo()
    page = Client().post(old)
    assert page.status_code == 410 and "expired" in page.content.decode()
    emailed.refresh_from_db()
    assert emailed.acknowledged_at is None
    assert Client().post(recent).status_code == 200
    emailed.refresh_from_db()
    assert emailed.acknowledged_by == "Ann"


def test_a_chat_message_acknowledges_as_the_integration(settings, httpserver):
    f.silence_default_definition()
    hook = builtin("slack", WebhookUrl=f"http://127.0.0.1:{httpserver.port}/services/T/B/x")
    f.definition("Ops", [{"threshold": 1, "integrations": [hook]}], groups=[f.all_monitors()])
    httpserver.expect_request("/services/T/B/x", method="POST").respond_with_data("ok")
    submit("error", 0)
    assert worker.deliver(list(Message.objects.values_list("pk", flat=True))) == 1
    body = httpserver.log[0][0].get_json()
    actions = [b for b in body["attachments"][0]["blocks"] if b["type"] == "actions"]
    [button] = actions[0]["elements"]
    assert button["text"] == {"type": "plain_text", "text": "Acknowledge"}
    assert button["url"].startswith("http://testserver/ack/")
    assert read_token(button["url"].rsplit("/", 1)[1]).who == hook.name
    assert read_token(button["url"].rsplit("/", 1)[1]).incident_key == Incident.objects.get().key


def test_the_salt_is_the_links_own():
    token = make_token("k", "w")
    with pytest.raises(signing.BadSignature):
        signing.loads(token)  # not a plain signed value of this site
    assert signing.loads(token, salt=SALT) == {"i": "k", "w": "w"}
