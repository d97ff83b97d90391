"""The monitor page's ping URL in a real browser: Copy, Rotate (after a
confirmation), and Enter in a field still saves rather than rotates."""

from __future__ import annotations

import pytest
import requests

from alerting.models import Monitor, PingToken

pytestmark = pytest.mark.browser


def test_copy_and_rotate_the_ping_url(page, settings) -> None:
    settings.PUBLIC_BASE_URL = page.base
    monitor = Monitor.objects.create(key="nightly", name="Nightly", expected_interval_seconds=86400)
    old = PingToken.for_monitor(monitor).url
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=page.base)
    page.goto(f"{page.base}/admin/alerting/monitor/{monitor.pk}/change/")
    field = page.locator("input.ping-url")
    assert field.input_value() == old

    page.click("[data-copy-ping-url]")
    page.wait_for_selector("[data-copy-ping-url]:has-text('Copied')")
    assert page.evaluate("navigator.clipboard.readText()") == old

    # Enter in an ordinary field submits the form with Save, never with Rotate.
    page.fill("#id_name", "Nightly backup")
    page.press("#id_name", "Enter")
    page.wait_for_selector(".messagelist .success")
    assert Monitor.objects.get(pk=monitor.pk).name == "Nightly backup"
    assert PingToken.objects.get(monitor=monitor).url == old

    page.goto(f"{page.base}/admin/alerting/monitor/{monitor.pk}/change/")
    page.once("dialog", lambda dialog: dialog.dismiss())  # "Rotate it?" — no
    page.click("[data-rotate-ping-url]")
    assert PingToken.objects.get(monitor=monitor).url == old
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-rotate-ping-url]")
    page.wait_for_selector(".messagelist .success:has-text('ping URL was rotated')")
    new = PingToken.objects.get(monitor=monitor).url
    assert new != old and page.locator("input.ping-url").input_value() == new
    assert requests.get(old, timeout=10).status_code == 404
    assert requests.get(new, timeout=10).text == "OK"
