"""The five things a staff member does in the admin, in a real browser."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import requests
from django.utils import timezone
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from alerting.models import AlertDefinition, ApiKey, EscalationLevel, Monitor, Operator
from integrations import provisioning
from integrations.models import Integration, IntegrationKind, IntegrationVariable, LevelIntegration, Message
from tests.browser.conftest import receiver_url, wait_until

# Serialized rollback: the migrations' default data is back for the tests after these.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def uptrends_integration(url: str, name: str = "Receiver") -> Integration:
    integration = Integration.objects.create(name=name, kind=IntegrationKind.WEBHOOK)
    provisioning.apply_preset(integration, "uptrends")
    IntegrationVariable.objects.filter(integration=integration, name="ApiUrl").update(value=url)
    return integration


def test_create_from_preset_insert_variable_preview_and_send(page, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_json(
        {"received": "yes, thank you"}, status=201, headers={"X-Receiver": "local"}
    )
    page.goto(f"{page.base}/admin/integrations/integration/add/")
    page.click("a[data-preset=uptrends]")
    page.fill("input[name=name]", "Ops receiver")
    page.fill("input[name=variables-0-value]", receiver_url(httpserver, "/hook"))

    # A header row: its name, then a variable from the panel into its value.
    step = page.locator("#steps-0")
    step.locator("input[name=steps-0-headers__name]").first.fill("X-Monitor")
    value = step.locator("input[name=steps-0-headers__value]").first
    value.fill("mon: ")
    value.evaluate("el => { el.focus(); el.setSelectionRange(5, 5); }")
    page.click("#variable-panel button[data-token='{{@monitor.name}}']")
    assert value.input_value() == "mon: {{@monitor.name}}"

    page.click("#preview-button")
    result = page.locator("#test-result")
    assert "Preview of a test Alert message" in result.inner_text()
    assert "GalacticResorts.com - DNS" in result.inner_text()  # the header, rendered with the example
    assert len(httpserver.log) == 0  # a preview sends nothing

    page.click("#send-test-button")
    result = page.locator("#test-result")
    result.locator(".http-status").wait_for()
    text = result.inner_text()
    assert "Test Alert message sent" in text
    assert "201" in result.locator(".http-status").inner_text()
    assert "yes, thank you" in result.locator(".response-body").inner_text()
    assert "X-Receiver" in text
    request, _ = httpserver.log[-1]
    assert request.headers["X-Monitor"] == "mon: GalacticResorts.com - DNS"
    assert json.loads(request.data)["alert"]["type"] == "Alert"
    # Preview and test used the form as it stands: nothing was saved until Save.
    assert not Integration.objects.filter(name="Ops receiver").exists()
    page.click("input[name=_continue]")
    page.locator(".messagelist .success").wait_for()
    saved = Integration.objects.get(name="Ops receiver")
    assert saved.preset == "uptrends"
    assert saved.variables.get(name="ApiUrl").value == receiver_url(httpserver, "/hook")
    assert saved.steps.get().headers == [["X-Monitor", "mon: {{@monitor.name}}"]]


def test_misspelled_variable_is_shown_at_the_field(page) -> None:
    integration = uptrends_integration("http://127.0.0.1:9/hook")
    page.goto(f"{page.base}/admin/integrations/integration/{integration.pk}/change/")
    body = page.locator("textarea[name=steps-0-body]")
    body.fill('{"monitor": "{{ApiUlr}}"}')
    page.click("input[name=_continue]")
    error = page.locator(".form-row.field-body .errorlist")
    error.wait_for()
    assert "{{ApiUlr}}" in error.inner_text()
    assert "did you mean ApiUrl" in error.inner_text()
    assert "{{ApiUlr}}" not in integration.steps.get().body


def test_alert_definition_with_two_levels_integration_and_operator(page) -> None:
    integration = uptrends_integration("http://127.0.0.1:9/hook")
    ada = Operator.objects.create(full_name="Ada Lovelace", email="ada@example.com")
    page.goto(f"{page.base}/admin/alerting/alertdefinition/add/")
    page.fill("input[name=name]", "Shop checkout")
    # Level 1: two consecutive errors, Ada, the integration.
    page.select_option("select[name=levels-0-mode]", "error_count")
    page.fill("input[name=levels-0-threshold]", "2")
    page.locator("#levels-0").get_by_label("Ada Lovelace").check()
    page.select_option("select[name=levels-0-links-0-integration]", label="Receiver")
    # Level 2 (its own tab): errors for more than 15 minutes, the integration without OK alerts.
    page.click("#levels-1-tab")
    page.check("input[name=levels-1-is_active]")
    page.select_option("select[name=levels-1-mode]", "error_duration")
    page.fill("input[name=levels-1-threshold]", "15")
    page.fill("textarea[name=levels-1-message]", "Call the shop team")
    page.select_option("select[name=levels-1-links-0-integration]", label="Receiver")
    page.uncheck("input[name=levels-1-links-0-send_ok_alerts]")
    page.click("input[name=_continue]")
    page.locator(".messagelist .success").wait_for()

    definition = AlertDefinition.objects.get(name="Shop checkout")
    level1, level2 = definition.levels.filter(is_active=True).order_by("number")
    assert (level1.mode, level1.threshold) == ("error_count", 2)
    assert (level2.mode, level2.threshold, level2.message) == ("error_duration", 15, "Call the shop team")
    assert list(level1.operators.all()) == [ada]
    link1 = LevelIntegration.objects.get(level=level1)
    link2 = LevelIntegration.objects.get(level=level2)
    assert link1.integration == link2.integration == integration
    assert link1.send_ok_alerts and not link2.send_ok_alerts
    # The saved page shows each level's integration, ready to edit in place.
    page.locator("#levels-0-tab").wait_for()
    assert page.locator("select[name=levels-0-links-0-integration]").input_value() == str(integration.pk)


def test_submitted_errors_show_incident_alerts_and_messages_then_retry(
    page, httpserver: HTTPServer, worker, live_server
) -> None:
    state = {"fail": False}

    def receiver(request: Request) -> Response:
        if state["fail"]:
            return Response("receiver is down", status=503)
        return Response('{"ok": true}', status=200, content_type="application/json")

    httpserver.expect_request("/hook").respond_with_handler(receiver)
    integration = uptrends_integration(receiver_url(httpserver, "/hook"))
    # Only this test's definition covers the monitor.
    AlertDefinition.objects.update(is_active=False)
    definition = AlertDefinition.objects.create(name="Shop")
    level = EscalationLevel.objects.create(definition=definition, number=1, threshold=1)
    LevelIntegration.objects.create(level=level, integration=integration)
    _, key = ApiKey.generate("checks", "ingest")

    def submit(status: str, description: str = "") -> None:
        response = requests.post(
            f"{live_server.url}/api/v1/alerts",
            json={
                "monitor": "shop",
                "status": status,
                "description": description,
                "timestamp": (timezone.now() - dt.timedelta(seconds=1)).isoformat(),
            },
            headers={"Authorization": f"Bearer {key}"},
            timeout=10,
        )
        assert response.status_code == 202, response.text

    definition.monitors.add(Monitor.objects.create(key="shop", name="Shop"))
    submit("error", "Checkout returned 500")

    page.goto(f"{page.base}/admin/alerting/incident/?status=open")
    page.click('#result_list a:text-is("Shop")')
    page.click("text=details and messages")
    card = page.locator(".message-card").first
    wait_until(lambda: _status(page) == "delivered", timeout=20)
    assert card.get_attribute("data-status") == "delivered"
    assert "HTTP 200" in card.inner_text()

    state["fail"] = True
    submit("ok")
    ok_message = Message.objects.get(alert__alert_type="Ok")
    page.goto(f"{page.base}/admin/alerting/alert/{ok_message.alert_id}/change/")
    wait_until(lambda: _status(page) == "failed", timeout=25)
    card = page.locator(".message-card").first
    assert "message-failed" in card.get_attribute("class")
    assert "503" in card.inner_text()

    state["fail"] = False
    page.click(".retry-button")
    page.locator(".messagelist .success").wait_for()
    wait_until(lambda: _status(page) == "delivered", timeout=20)
    assert "message-delivered" in page.locator(".message-card").first.get_attribute("class")


def _status(page) -> str:  # type: ignore[no-untyped-def]
    page.reload()
    return page.locator(".message-card").first.get_attribute("data-status") or ""


@pytest.mark.parametrize("page", [390], indirect=True)
def test_stop_all_alerts_shows_the_banner_everywhere(page) -> None:
    page.goto(f"{page.base}/admin/")
    assert page.locator(".stop-all-banner").count() == 0
    page.click("#stop-all-toggle")
    # A page that says what it does, and a second click to do it.
    page.locator("#confirm-stop-all").wait_for()
    assert "no message is sent" in page.locator("#content-main").inner_text()
    assert page.locator(".stop-all-banner").count() == 0
    page.click("#confirm-stop-all")
    banner = page.locator(".stop-all-banner")
    banner.wait_for()
    assert "Stop all alerts is ON" in banner.inner_text()
    page.goto(f"{page.base}/admin/alerting/operator/")
    assert page.locator(".stop-all-banner").is_visible()
    page.goto(f"{page.base}/admin/")
    page.click("#stop-all-toggle")
    page.locator(".messagelist .success").wait_for()
    assert page.locator(".stop-all-banner").count() == 0
