"""The integration editor's checks in a real browser (issue 15): the JSON
check with its one-click wrap, preview and test of the unsaved form, and
headers as name/value rows."""

from __future__ import annotations

import json

import pytest
from pytest_httpserver import HTTPServer

from integrations.models import Integration, IntegrationKind, IntegrationStep, IntegrationVariable
from tests.browser.conftest import receiver_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def custom(url: str, body: str = '{"ok": true}', headers: list | None = None) -> Integration:
    integration = Integration.objects.create(name="Chat hook", kind=IntegrationKind.WEBHOOK)
    IntegrationVariable.objects.create(integration=integration, name="Url", value=url)
    IntegrationStep.objects.create(
        integration=integration, position=1, url="{{Url}}", body=body, headers=headers or []
    )
    return integration


def edit(page, integration: Integration) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{page.base}/admin/integrations/integration/{integration.pk}/change/")


def test_the_json_check_names_the_placeholder_and_wraps_it_in_one_click(page) -> None:
    integration = custom("https://hooks.example.com/in")
    edit(page, integration)
    check = page.locator("#steps-0-body-check")
    page.locator("#steps-0-body-check.body-check-ok").wait_for()  # the stored body passes
    assert check.inner_text().startswith("Valid JSON, also with quotes")

    body = page.locator("textarea[name=steps-0-body]")
    body.fill(
        '{\n  "text": "🚨 {{@alert.description}}",\n  "who": "{{@monitor.name}}",\n'
        '  "key": "{{@incident.key}}"\n}'
    )
    warning = check.locator("li", has_text="{{@alert.description}} at line 2, column 14")
    warning.wait_for()
    assert "a double quote, a backslash or a line break in its value makes the body invalid JSON" in (
        warning.inner_text()
    )
    assert check.locator("li").count() == 2  # the incident key is made by the hub: never a quote

    warning.locator("button.body-wrap").click()
    check.locator("li", has_text="{{@monitor.name}}").wait_for()
    assert body.input_value() == (
        '{\n  "text": "🚨 {{@JsonEncode({{@alert.description}})}}",\n  "who": "{{@monitor.name}}",\n'
        '  "key": "{{@incident.key}}"\n}'
    )
    page.wait_for_function("document.querySelectorAll('#steps-0-body-check li').length === 1")

    # XML by its content type: the same check with @XmlEncode.
    page.fill("input[name=steps-0-content_type]", "application/xml")
    body.fill("<alert><text>{{@alert.description}}</text><who>{{@monitor.name}}</who></alert>")
    check.locator("button.body-wrap-all", has_text="Wrap all 2 in @XmlEncode").click()
    page.locator("#steps-0-body-check.body-check-ok").wait_for()
    assert check.inner_text().startswith("Valid XML")
    assert body.input_value() == (
        "<alert><text>{{@XmlEncode({{@alert.description}})}}</text>"
        "<who>{{@XmlEncode({{@monitor.name}})}}</who></alert>"
    )
    assert IntegrationStep.objects.get(integration=integration).body == '{"ok": true}'  # nothing saved


def test_preview_and_test_send_use_the_unsaved_form(page, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("noted", status=200)
    integration = custom(receiver_url(httpserver, "/hook"), body='{"stored": true}')
    edit(page, integration)
    page.fill("input[name=name]", "Renamed but not saved")
    page.fill("textarea[name=steps-0-body]", '{"draft": "{{@JsonEncode({{@alert.type}})}}"}')
    page.locator("input[name=test_alert_type][value=Reminder]").check()

    page.click("#preview-button")
    result = page.locator("#test-result")
    result.wait_for()
    assert "Preview of a test Reminder message (nothing was sent, nothing was saved)" in result.inner_text()
    assert '{"draft": "Reminder"}' in result.locator("pre.payload").first.inner_text()
    assert "User-Agent" in result.inner_text() and "Content-Length" in result.inner_text()
    assert len(httpserver.log) == 0
    # Still the editor, with the edits in place.
    assert page.locator("input[name=name]").input_value() == "Renamed but not saved"

    page.click("#send-test-button")
    page.locator("#test-result .http-status").wait_for()
    request, _ = httpserver.log[-1]
    assert json.loads(request.data) == {"draft": "Reminder"}
    assert "Test Reminder message sent (nothing was saved)" in page.locator("#test-result").inner_text()

    stored = Integration.objects.get(pk=integration.pk)
    assert stored.name == "Chat hook" and stored.steps.get().body == '{"stored": true}'


def test_a_connection_error_reads_as_one_line_with_its_detail_behind_it(page) -> None:
    integration = custom("http://127.0.0.1:9/hook")  # nothing listens on port 9
    edit(page, integration)
    page.click("#send-test-button")
    line = page.locator("#test-result .connection-error")
    line.wait_for()
    assert line.inner_text() == "connection refused by 127.0.0.1:9"
    detail = page.locator("#test-result details.error-detail")
    assert not detail.locator("pre").is_visible()
    detail.locator("summary").click()
    assert "Connection refused" in detail.locator("pre").inner_text()


def test_headers_as_rows_added_and_removed(page) -> None:
    integration = custom("https://hooks.example.com/in", headers=[["X-Old", "gone soon"], ["X-Keep", "kept"]])
    edit(page, integration)
    rows = page.locator("#steps-0 .header-rows tbody tr")
    assert rows.count() == 3  # two headers and an empty row
    assert rows.nth(0).locator(".header-name").input_value() == "X-Old"

    rows.nth(0).locator(".header-remove").click()
    assert rows.count() == 2
    rows.nth(1).locator(".header-name").fill("Authorization")
    rows.nth(1).locator(".header-value").fill("Bearer ")
    page.locator("#steps-0 .header-add").click()
    assert rows.count() == 3
    assert rows.nth(2).locator(".header-name").input_value() == ""
    rows.nth(2).locator(".header-name").fill("X-Monitor")
    value = rows.nth(2).locator(".header-value")
    value.click()
    page.click("#variable-panel button[data-token='{{@monitor.name}}']")
    assert value.input_value() == "{{@monitor.name}}"

    page.click("input[name=_continue]")
    page.locator(".messagelist .success").wait_for()
    assert IntegrationStep.objects.get(integration=integration).headers == [
        ["X-Keep", "kept"],
        ["Authorization", "Bearer "],
        ["X-Monitor", "{{@monitor.name}}"],
    ]
