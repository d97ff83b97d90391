"""Acknowledge from an e-mail in a real browser: the delivered HTML e-mail is
opened, its Acknowledge link clicked (no login), the page shows the incident
and changes nothing until its button is pressed."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone

from alerting.engine import Submission, process_submission
from alerting.models import Incident
from integrations.delivery import worker
from integrations.models import Message, MessageStatus
from tests.engine import factories as f

pytestmark = pytest.mark.browser


def test_click_acknowledge_in_the_email(browser_context_factory, live_server, transactional_db, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    f.silence_default_definition()
    ann = f.operator("Ann Ops", email="ann@example.com")
    f.definition(
        "Ops",
        [{"threshold": 1, "operators": [ann], "integrations": [f.builtin("email")]}, {"threshold": 2}],
        groups=[f.all_monitors()],
    )
    process_submission(Submission("shop", "error", timezone.now(), "HTTP 503 from the shop"))
    assert worker.deliver(list(Message.objects.values_list("pk", flat=True))) == 1
    [email] = [m for m in mail.outbox if m.to == ["ann@example.com"]]
    html = email.alternatives[0][0]

    page = browser_context_factory()  # not logged in: the link is the credential
    page.set_content(html)
    page.click("a#acknowledge-link")
    page.wait_for_selector("#acknowledge-button")
    assert page.locator("#incident-status").inner_text() == "open"
    assert "HTTP 503 from the shop" in page.content()
    incident = Incident.objects.get()
    assert incident.acknowledged_at is None  # opening the link acknowledged nothing

    page.fill("#note", "restarting the web tier")
    page.click("#acknowledge-button")
    page.wait_for_selector("#acknowledged-message")
    assert page.locator("#incident-status").inner_text() == "acknowledged"
    assert "as Ann Ops" in page.locator("#acknowledged-message").inner_text()
    incident.refresh_from_db()
    assert (incident.acknowledged_by, incident.acknowledgement_note) == ("Ann Ops", "restarting the web tier")

    # Level 2 (two errors) is held back while acknowledged.
    process_submission(Submission("shop", "error", timezone.now(), "HTTP 503 from the shop"))
    assert not Message.objects.exclude(status=MessageStatus.DELIVERED).exists()
    page.close()


def test_acknowledge_and_unacknowledge_on_the_incident_page(page):
    f.silence_default_definition()
    f.definition("Ops", [{"threshold": 1}], groups=[f.all_monitors()])
    process_submission(Submission("shop", "error", timezone.now(), "HTTP 503"))
    incident = Incident.objects.get()
    page.goto(f"{page.base}/admin/alerting/incident/{incident.pk}/change/")
    assert page.locator("#incident-acknowledgement").get_attribute("data-status") == "open"
    page.fill("#ack-note", "on it")
    page.select_option("#ack-snooze", "60")
    page.click("#acknowledge-button")
    page.wait_for_selector("#incident-acknowledgement[data-status=acknowledged]")
    assert "Acknowledged by browser" in page.locator("#acknowledged-by").inner_text()
    incident.refresh_from_db()
    assert incident.acknowledgement_note == "on it" and incident.acknowledged_until is not None
    page.click("#unacknowledge-button")
    page.wait_for_selector("#incident-acknowledgement[data-status=open]")
    incident.refresh_from_db()
    assert incident.acknowledged_at is None
