"""A receiver down, in a real browser: the dashboard's *Delivery problems*
card, the message log it links to (at 1280 px), Retry on the message page, and
the confirmation before a delivered message is sent again."""

from __future__ import annotations

import socket

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from pytest_httpserver import HTTPServer

from integrations.delivery import worker
from integrations.models import Message, MessageStatus
from tests.browser.conftest import receiver_url
from tests.delivery import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def delivery_settings(settings):  # type: ignore[no-untyped-def]
    settings.DELIVERY_RETRY_SCHEDULE = [300]
    settings.DELIVERY_LINGER_SECONDS = 0
    settings.DELIVERY_CONNECT_TIMEOUT = 1
    return settings


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_card_list_retry_and_confirmation(page, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/ok").respond_with_data("ok")
    down = factories.webhook(f"http://127.0.0.1:{closed_port()}/reminders", name="Reminders")
    [failing] = factories.messages(down, for_alert=factories.alert("Reminder"))
    chat = factories.webhook(receiver_url(httpserver, "/ok"), name="Chat")
    [delivered] = factories.messages(chat)
    worker.deliver([failing.id, delivered.id])  # the delivery task, in this process

    page.goto(f"{page.base}/admin/")
    card = page.locator("#dash-delivery-problems")
    assert "warn" in (card.get_attribute("class") or "")
    assert page.locator("#problem-retrying").inner_text() == "1"
    assert page.locator("#problem-failed").inner_text() == "0"
    # The count is amber, not green.
    colour = page.locator("#problem-retrying").evaluate("el => getComputedStyle(el).color")
    assert colour == "rgb(188, 76, 0)"

    page.click("#problem-retrying")
    page.wait_for_url("**/admin/integrations/message/?problem=retrying")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    row = rows.first
    assert row.locator(".msg-status-retrying").inner_text() == "Retrying"
    assert "Connection failed: Connection refused" in row.locator(".message-last-error").inner_text()
    # Every column fits a 1280 px window, with the navigation sidebar open: no sideways scrolling.
    if not page.evaluate("() => document.getElementById('main').classList.contains('shifted')"):
        page.click("#toggle-nav-sidebar")
    page.locator("#nav-sidebar").wait_for()
    # (The list scrolls inside its own box when too wide, so the box is measured.)
    # Waited for, not read once: the sidebar slides open, and a busy machine may
    # measure the page halfway.
    widths = (
        "() => [document.documentElement.scrollWidth, window.innerWidth,"
        " document.querySelector('.results').scrollWidth, document.querySelector('.results').clientWidth]"
    )
    try:
        page.wait_for_function(f"() => {{ const w = ({widths})(); return w[0] <= w[1] && w[2] <= w[3]; }}")
    except PlaywrightTimeout:
        pytest.fail(f"the message list does not fit 1280 px: {page.evaluate(widths)}")

    row.locator("th a").click()
    page.wait_for_url(f"**/admin/integrations/message/{failing.pk}/change/**")
    page.click("#retry-button")
    assert "queued again" in page.locator(".messagelist .success").inner_text()
    assert Message.objects.get(pk=failing.pk).attempts_before_replay == 1

    # Sending a delivered message again: a page says what happens, "No" changes nothing.
    page.goto(f"{page.base}/admin/integrations/message/{delivered.pk}/change/")
    page.click("#retry-button")
    expect(page.locator("#content-main")).to_contain_text("a second time")
    page.click("text=No, take me back")
    page.wait_for_url(f"{page.base}/admin/integrations/message/{delivered.pk}/change/")
    assert Message.objects.get(pk=delivered.pk).status == MessageStatus.DELIVERED
    page.click("#retry-button")
    page.click("#confirm-retry")
    assert "queued again" in page.locator(".messagelist .success").inner_text()
    assert Message.objects.get(pk=delivered.pk).status == MessageStatus.PENDING
