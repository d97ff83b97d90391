"""A receiver down, as the admin shows it: the dashboard's *Delivery problems*
card and the lists it links to, the message log's last error and status, the
message page's Retry button, and the confirmations before sending a delivered
message again or stopping all alerts.

Messages go through the real delivery code (the task function, in-process)
against a local receiver that answers 503 or 400, and a port nobody listens on.
"""

from __future__ import annotations

import re
import socket
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_httpserver import HTTPServer

from alerting.models import AccountSettings
from integrations.delivery import sweep, worker
from integrations.models import Integration, IntegrationVariable, Message, MessageAttempt, MessageStatus
from tests.delivery import factories

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "reminder-token-7d41c9e2"


@pytest.fixture(autouse=True)
def delivery_settings(settings):  # type: ignore[no-untyped-def]
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    # Long enough that nothing is retried while a test looks; one attempt per deliver().
    settings.DELIVERY_RETRY_SCHEDULE = [300, 300]
    settings.DELIVERY_LINGER_SECONDS = 0
    settings.DELIVERY_BREAKER_THRESHOLD = 3
    settings.DELIVERY_CONNECT_TIMEOUT = 1
    settings.DELIVERY_READ_TIMEOUT = 2
    return settings


def closed_port() -> int:
    """A port on 127.0.0.1 that nobody listens on: bound, then let go."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reminders_down() -> Integration:
    """A receiver that refuses connections, with a secret in its URL."""
    integration = factories.webhook(
        f"http://127.0.0.1:{closed_port()}/reminders?token={{{{Token}}}}", name="Reminders"
    )
    IntegrationVariable.objects.create(
        integration=integration, name="Token", is_secret=True, secret_value=SECRET
    )
    return integration


def card_count(html: str, key: str) -> int:
    match = re.search(rf'id="problem-{key}">(\d+)</a>', html)
    assert match, f"no count for {key}"
    return int(match.group(1))


def card_link(html: str, key: str) -> str:
    match = re.search(rf'<a href="([^"]+)" id="problem-{key}">', html)
    assert match, f"no link for {key}"
    return match.group(1).replace("&amp;", "&")


def listed_ids(html: str) -> set[str]:
    return set(re.findall(r'name="_selected_action" value="([^"]+)"', html))


def card(html: str) -> str:
    start = html.index('id="dash-delivery-problems"')
    return html[html.rindex("<section", 0, start) : html.index("</section>", start)]


def user_client(django_user_model, name: str, *codenames: str) -> Client:  # type: ignore[no-untyped-def]
    user = django_user_model.objects.create_user(name, f"{name}@example.com", "pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


def test_receiver_down_is_counted_linked_and_explained(staff_client, httpserver: HTTPServer) -> None:
    # The reminder to a receiver that refuses connections: retried, not "Pending".
    reminders = reminders_down()
    [reminder, old] = factories.messages(reminders, 2, for_alert=factories.alert("Reminder"))
    worker.deliver([reminder.id, old.id])
    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.PENDING and reminder.attempt_count == 1
    assert "Connection failed" in reminder.error

    html = staff_client.get("/admin/").content.decode()
    problems = card(html)
    assert "dash-card warn" in problems  # amber, not the green of "nothing wrong"
    assert card_count(html, "retrying") == 2
    assert [card_count(html, key) for key in ("failed", "expired", "paused")] == [0, 0, 0]
    assert "Retrying" in problems and "Connection failed" in problems
    assert SECRET not in html

    # The list the count links to: those two, with their last error, redacted.
    page = staff_client.get(card_link(html, "retrying")).content.decode()
    assert listed_ids(page) == {str(reminder.pk), str(old.pk)}
    assert page.count('class="msg-status msg-status-retrying"') == 2
    assert "msg-status-pending" not in page
    assert page.count('class="message-last-error"') == 2
    # Short: the reason from inside the connection error's wrappers; all of it on hover.
    assert page.count(">Connection failed: Connection refused</span>") == 2
    assert SECRET not in page

    # A receiver answering 503 (its breaker opens), one refusing the message
    # (400: failed for good), one delivered; the old reminder runs past its age.
    httpserver.expect_request("/down").respond_with_data("receiver is down", status=503)
    httpserver.expect_request("/reject").respond_with_data("no such service", status=400)
    httpserver.expect_request("/ok").respond_with_data("ok")
    pager = factories.webhook(factories.local(httpserver, "/down"), name="Pager")
    tickets = factories.webhook(factories.local(httpserver, "/reject"), name="Tickets")
    chat = factories.webhook(factories.local(httpserver, "/ok"), name="Chat")
    paged = factories.messages(pager, 3)
    [refused] = factories.messages(tickets)
    [delivered] = factories.messages(chat)
    worker.deliver([m.id for m in [*paged, refused, delivered]])
    Message.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert sweep.expire() == 1

    html = staff_client.get("/admin/").content.decode()
    assert "dash-card bad" in card(html)
    counts = {key: card_count(html, key) for key in ("retrying", "failed", "expired", "paused")}
    assert len([r for r, _ in httpserver.log if r.path == "/down"]) == 3
    assert counts == {"retrying": 4, "failed": 1, "expired": 1, "paused": 1}
    expected = {
        "retrying": {str(reminder.pk), *(str(m.pk) for m in paged)},
        "failed": {str(refused.pk)},
        "expired": {str(old.pk)},
        "paused": {str(pager.pk)},
    }
    for key, ids in expected.items():
        page = staff_client.get(card_link(html, key))
        assert page.status_code == 200
        assert listed_ids(page.content.decode()) == ids, key
    assert card_link(html, "paused").endswith("?breaker=paused")
    paused_page = staff_client.get(card_link(html, "paused")).content.decode()
    assert "Paused</span> until" in paused_page
    # Once the pause is over, until a message gets through, the breaker is half-open.
    Integration.objects.filter(pk=pager.pk).update(paused_until=timezone.now() - timedelta(seconds=1))
    url = reverse("admin:integrations_integration_changelist")
    half_open = staff_client.get(f"{url}?breaker=half_open").content.decode()
    assert listed_ids(half_open) == {str(pager.pk)} and "Half-open</span>" in half_open
    assert listed_ids(staff_client.get(f"{url}?breaker=paused").content.decode()) == set()
    failed_page = staff_client.get(card_link(html, "failed")).content.decode()
    assert "HTTP 400: no such service" in failed_page

    # Nothing counted once the receivers are back and everything is delivered.
    Message.objects.exclude(status=MessageStatus.DELIVERED).update(status=MessageStatus.DELIVERED, error="")
    Integration.objects.update(paused_until=None, consecutive_failures=0)
    html = staff_client.get("/admin/").content.decode()
    assert "dash-card good" in card(html)
    assert {card_count(html, key) for key in ("retrying", "failed", "expired", "paused")} == {0}


def test_message_page_retry_button(staff_client, django_user_model, httpserver: HTTPServer) -> None:
    reminders = reminders_down()
    [message] = factories.messages(reminders)
    worker.deliver([message.id])
    url = reverse("admin:integrations_message_change", args=[message.pk])
    retry = reverse("admin:integrations_message_retry", args=[message.pk])

    page = staff_client.get(url).content.decode()
    assert 'id="retry-button"' in page and f'action="{retry}"' in page
    assert f"Message {message.pk} (retrying)" in page and "(pending)" not in page
    assert "The last attempt (number 1) failed" in page
    assert "Connection failed" in page and SECRET not in page
    assert staff_client.get(retry).status_code == 405  # POST only

    # The form's CSRF token is required.
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(django_user_model.objects.get(username="admin"))
    assert strict.post(retry).status_code == 403

    # A viewer sees the message and its error, but no button, and may not retry.
    viewer = user_client(django_user_model, "viewer", "view_message")
    page = viewer.get(url)
    assert page.status_code == 200 and "Connection failed" in page.content.decode()
    assert "retry-button" not in page.content.decode()
    assert viewer.post(retry).status_code == 403
    assert Message.objects.get(pk=message.pk).attempts_before_replay == 0

    # The receiver is back: Retry queues it at once and the next run delivers it.
    httpserver.expect_request("/back").respond_with_data("ok")
    reminders.steps.update(url=factories.local(httpserver, "/back"))
    response = staff_client.post(retry)
    assert response.status_code == 302 and response["Location"] == url
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING and message.attempts_before_replay == 1
    assert message.next_attempt_at <= timezone.now()
    worker.deliver([message.id])
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED and message.attempt_count == 2
    assert len(httpserver.log) == 1


def test_retrying_a_delivered_message_asks_first(staff_client, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/ok").respond_with_data("ok")
    chat = factories.webhook(factories.local(httpserver, "/ok"), name="Chat")
    [message] = factories.messages(chat)
    worker.deliver([message.id])
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    url = reverse("admin:integrations_message_change", args=[message.pk])
    retry = reverse("admin:integrations_message_retry", args=[message.pk])
    assert "Send again…" in staff_client.get(url).content.decode()

    page = staff_client.post(retry)
    assert page.status_code == 200
    html = page.content.decode()
    assert "already delivered" in html and "a second time" in html
    assert 'name="post" value="yes"' in html and f'action="{retry}"' in html
    assert Message.objects.get(pk=message.pk).status == MessageStatus.DELIVERED

    response = staff_client.post(retry, {"post": "yes"})
    assert response.status_code == 302
    assert Message.objects.get(pk=message.pk).status == MessageStatus.PENDING
    worker.deliver([message.id])
    assert len(httpserver.log) == 2


def test_list_action_asks_when_the_selection_holds_delivered_messages(
    staff_client, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/ok").respond_with_data("ok")
    chat = factories.webhook(factories.local(httpserver, "/ok"), name="Chat")
    [delivered] = factories.messages(chat)
    worker.deliver([delivered.id])
    [refused] = factories.messages(reminders_down())
    worker.deliver([refused.id])
    Message.objects.filter(pk=refused.pk).update(status=MessageStatus.FAILED)
    changelist = reverse("admin:integrations_message_changelist")
    selection = {"action": "retry_selected", "_selected_action": [str(delivered.pk), str(refused.pk)]}

    page = staff_client.post(changelist, selection)
    assert page.status_code == 200
    html = page.content.decode()
    assert "1 of the 2 selected messages was already delivered" in html
    assert f'value="{delivered.pk}"' in html and f'value="{refused.pk}"' in html
    assert 'name="action" value="retry_selected"' in html
    statuses = dict(Message.objects.values_list("pk", "status"))
    assert statuses == {delivered.pk: MessageStatus.DELIVERED, refused.pk: MessageStatus.FAILED}

    response = staff_client.post(changelist, {**selection, "post": "yes"})
    assert response.status_code == 302
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.PENDING}

    # Without a delivered message in it, a selection is retried at once.
    Message.objects.filter(pk=refused.pk).update(status=MessageStatus.FAILED)
    response = staff_client.post(changelist, {"action": "retry_selected", "_selected_action": [refused.pk]})
    assert response.status_code == 302
    assert Message.objects.get(pk=refused.pk).status == MessageStatus.PENDING


def test_stop_all_alerts_asks_and_says_what_it_does(staff_client, django_user_model) -> None:
    switch = reverse("admin:alerting_stop_all")
    assert 'id="stop-all-toggle"' in staff_client.get("/admin/").content.decode()
    page = staff_client.post(switch, {"stop_all_alerts": "on"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "no message is sent" in html and "still recorded" in html
    assert 'id="confirm-stop-all"' in html and 'name="post" value="yes"' in html
    assert not AccountSettings.load().stop_all_alerts

    response = staff_client.post(switch, {"stop_all_alerts": "on", "post": "yes"})
    assert response.status_code == 302 and AccountSettings.load().stop_all_alerts
    # Turning it off again needs no confirmation.
    assert staff_client.post(switch, {"stop_all_alerts": "off"}).status_code == 302
    assert not AccountSettings.load().stop_all_alerts

    # The account settings form is the same switch: it asks too.
    change = reverse("admin:alerting_accountsettings_change", args=[1])
    page = staff_client.post(change, {"stop_all_alerts": "on", "_save": "Save"})
    assert page.status_code == 200 and 'id="confirm-stop-all"' in page.content.decode()
    assert not AccountSettings.load().stop_all_alerts

    # A viewer may not switch it, confirmed or not.
    viewer = user_client(django_user_model, "viewer", "view_accountsettings")
    assert viewer.post(switch, {"stop_all_alerts": "on"}).status_code == 403
    assert viewer.post(switch, {"stop_all_alerts": "on", "post": "yes"}).status_code == 403
    assert viewer.post(change, {"stop_all_alerts": "on"}).status_code == 403
    assert not AccountSettings.load().stop_all_alerts


def test_attempt_outcomes_are_labelled(staff_client) -> None:
    [message] = factories.messages(reminders_down())
    now = timezone.now()
    for number, outcome in ((1, "pending"), (2, "unknown")):
        MessageAttempt.objects.create(
            message=message, number=number, started_at=now, outcome=outcome, error="" if number == 2 else "x"
        )
    url = reverse("admin:integrations_message_change", args=[message.pk])
    page = staff_client.get(url).content.decode()
    assert "Failed, will retry" in page
    assert "Outcome unknown" in page

    # Held by a live worker: no button (a replay would be refused). Held by one that
    # died (its lease ran out, its attempt's outcome unknown): Retry takes it over.
    held = {"status": MessageStatus.SENDING, "lease_owner": "w1"}
    Message.objects.filter(pk=message.pk).update(**held, lease_expires_at=now + timedelta(minutes=1))
    assert "retry-button" not in staff_client.get(url).content.decode()
    Message.objects.filter(pk=message.pk).update(lease_expires_at=now - timedelta(seconds=1))
    assert 'id="retry-button"' in staff_client.get(url).content.decode()
    staff_client.post(reverse("admin:integrations_message_retry", args=[message.pk]))
    assert Message.objects.get(pk=message.pk).status == MessageStatus.PENDING


def test_the_card_is_shown_only_to_who_may_see_messages(django_user_model) -> None:
    [message] = factories.messages(reminders_down())
    refused = "Connection failed: Connection refused"
    Message.objects.filter(pk=message.pk).update(attempt_count=1, error=refused)
    others = user_client(django_user_model, "incidents", "view_incident")
    html = others.get("/admin/").content.decode()
    assert 'id="dash-delivery-problems"' not in html and "Connection refused" not in html
    readers = user_client(django_user_model, "readers", "view_message")
    html = readers.get("/admin/").content.decode()
    assert 'id="dash-delivery-problems"' in html and card_count(html, "retrying") == 1
