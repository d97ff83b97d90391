"""The integration editor: type picker, preset forms, template errors, preview and test."""

from __future__ import annotations

import json

from django.urls import reverse
from django.utils.html import escape
from pytest_httpserver import HTTPServer

from integrations import presets
from integrations.models import Integration, IntegrationKind, IntegrationVariable

ADD = "/admin/integrations/integration/add/"
SECRET = "tok-4c3b2a1908f7e6d5"


def receiver_url(server: HTTPServer, path: str) -> str:
    # By address: outbound calls are pinned to one resolved address (127.0.0.1 is allowlisted).
    return f"http://127.0.0.1:{server.port}{path}"


def preset_integration(url: str, name: str = "Receiver") -> Integration:
    integration = Integration.objects.create(name=name, kind=IntegrationKind.WEBHOOK)
    presets.apply_preset(integration, "uptrends")
    IntegrationVariable.objects.filter(integration=integration, name="ApiUrl").update(value=url)
    return integration


def change_form_data(client, integration: Integration) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The change form as the browser would post it, unchanged."""
    return form_data(client, reverse("admin:integrations_integration_change", args=[integration.pk]))


def form_data(client, url: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The form at ``url`` as the browser would post it, untouched."""
    page = client.get(url)
    form = page.context["adminform"].form
    data: dict[str, object] = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    for formset in page.context["inline_admin_formsets"]:
        fs = formset.formset
        data.update({k: v for k, v in fs.management_form.initial.items() for k in [f"{fs.prefix}-{k}"]})
        for sub in fs.forms:
            for name in sub.fields:
                value = sub[name].value()
                if value is None or value is False or value == "":
                    continue
                if isinstance(value, list | dict):
                    value = json.dumps(value)
                data[sub.add_prefix(name)] = "on" if value is True else str(value)
    return data


def test_picker_lists_builtin_types_and_every_preset(staff_client) -> None:
    html = staff_client.get(ADD).content.decode()
    for label in IntegrationKind.labels:
        assert label in html
    for preset in presets.presets().values():
        assert f"?preset={preset.slug}" in html
        assert escape(preset.description[:40]) in html


def test_preset_form_is_prefilled_and_saves(staff_client) -> None:
    page = staff_client.get(f"{ADD}?preset=uptrends")
    html = page.content.decode()
    assert 'name="variables-0-name" value="ApiUrl"' in html
    assert "{{ApiUrl}}" in html
    assert "Value per escalation level" in html
    assert "@alert.description" in html  # the variable panel, with meanings
    assert "Text of the error that triggered the alert" in html


def test_adding_pagerduty_without_its_routing_key_is_a_form_error(staff_client) -> None:
    url = f"{ADD}?kind=pagerduty"
    data = form_data(staff_client, url)
    data["name"] = "On-call PagerDuty"
    page = staff_client.post(url, data)
    assert page.status_code == 200
    variables = page.context["inline_admin_formsets"][0].formset
    row = next(f for f in variables.forms if f["name"].value() == "RoutingKey")
    assert row.errors["secret_value"] == [
        "RoutingKey needs a value (or choose 'Value per escalation level')."
    ]
    assert not Integration.objects.filter(name="On-call PagerDuty").exists()

    index = variables.forms.index(row)
    removed = {k: v for k, v in data.items() if not k.startswith(f"variables-{index}-")}
    page = staff_client.post(url, removed)
    assert page.status_code == 200
    assert page.context["inline_admin_formsets"][0].formset.non_form_errors() == [
        "This type of integration needs the variable RoutingKey; "
        "add it back with its value (or a value per escalation level)."
    ]

    data[f"variables-{index}-secret_value"] = "R0UT1NGKEY0123456789abcdef012345"
    response = staff_client.post(url, data)
    assert response.status_code == 302, _debug(response)
    integration = Integration.objects.get(name="On-call PagerDuty")
    assert integration.kind == IntegrationKind.PAGERDUTY
    saved = integration.variables.get(name="RoutingKey")
    assert saved.is_secret and saved.get_value() == "R0UT1NGKEY0123456789abcdef012345"


def test_misspelled_variable_is_an_error_at_its_field(staff_client) -> None:
    integration = preset_integration("https://hooks.example.com/in")
    data = change_form_data(staff_client, integration)
    data["steps-0-body"] = '{"u": "{{ApiUlr}}"}'
    page = staff_client.post(reverse("admin:integrations_integration_change", args=[integration.pk]), data)
    assert page.status_code == 200
    errors = page.context["inline_admin_formsets"][1].formset.forms[0].errors["body"]
    # (An unknown @ variable is saved with a warning: tests/integrations/test_unknown_variables.py.)
    assert any("{{ApiUlr}}" in e and "did you mean ApiUrl" in e for e in errors)


def test_a_variable_renamed_on_the_same_page_is_known_to_the_steps(staff_client) -> None:
    integration = preset_integration("https://hooks.example.com/in")
    data = change_form_data(staff_client, integration)
    data["variables-0-name"] = "Endpoint"
    data["steps-0-url"] = "{{Endpoint}}"
    response = staff_client.post(
        reverse("admin:integrations_integration_change", args=[integration.pk]), data
    )
    assert response.status_code == 302, _debug(response)
    assert integration.steps.get().url == "{{Endpoint}}"


def test_one_alert_type_in_two_steps_is_a_form_error(staff_client) -> None:
    integration = preset_integration("https://hooks.example.com/in")
    data = change_form_data(staff_client, integration)
    data.update(
        {
            "steps-TOTAL_FORMS": "2",
            "steps-1-position": "2",
            "steps-1-method": "POST",
            "steps-1-url": "{{ApiUrl}}",
            "steps-1-handles_ok": "on",
            "steps-1-headers": "[]",
            "steps-1-auth_type": "none",
        }
    )
    page = staff_client.post(reverse("admin:integrations_integration_change", args=[integration.pk]), data)
    assert page.status_code == 200
    assert "Ok alerts are already sent by step 1" in page.content.decode()


def test_preview_shows_every_request_and_sends_nothing(
    staff_client, httpserver: HTTPServer, settings
) -> None:
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    integration = preset_integration(receiver_url(httpserver, "/hook"))
    data = change_form_data(staff_client, integration)
    data.update({"_preview": "1", "test_alert_type": "Ok", "test_level": "2"})
    response = staff_client.post(
        reverse("admin:integrations_integration_change", args=[integration.pk]), data
    )
    assert response.status_code == 302, _debug(response)
    page = staff_client.get(response["Location"])
    result = page.context["test_result"]
    assert result.action == "preview" and result.ok
    [exchange] = result.exchanges
    body = json.loads(exchange["request"]["body"])
    assert body["alert"]["type"] == "Ok"
    assert body["escalationLevel"]["id"] == "2"
    assert "Preview of a test Ok message" in page.content.decode()
    assert len(httpserver.log) == 0
    # Shown once: the next visit is a plain editor again.
    assert staff_client.get(response["Location"]).context["test_result"] is None


def test_send_test_shows_request_and_answer_with_secrets_redacted(
    staff_client, httpserver: HTTPServer, settings
) -> None:
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    httpserver.expect_request("/hook").respond_with_data(
        "thanks", status=202, headers={"X-Receiver": "local"}
    )
    integration = preset_integration(receiver_url(httpserver, "/hook"))
    IntegrationVariable.objects.create(
        integration=integration, name="Token", is_secret=True, secret_value=SECRET
    )
    data = change_form_data(staff_client, integration)
    data["variables-TOTAL_FORMS"] = "2"
    data["variables-INITIAL_FORMS"] = "2"
    data["steps-0-headers"] = '[["Authorization", "Bearer {{Token}}"], ["X-Copy", "{{Token}}"]]'
    data["_sendtest"] = "1"
    response = staff_client.post(
        reverse("admin:integrations_integration_change", args=[integration.pk]), data
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    html = staff_client.get(response["Location"]).content.decode()
    assert "Test Alert message sent" in html
    assert "202" in html and "thanks" in html and "X-Receiver" in html
    assert SECRET not in html
    request, _ = httpserver.log[0]
    assert request.headers["X-Copy"] == SECRET  # the receiver got the real value


def test_a_receiver_that_cannot_be_reached_is_shown_not_raised(staff_client, settings) -> None:
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    integration = preset_integration("http://127.0.0.1:9/hook")  # nothing listens on port 9
    data = change_form_data(staff_client, integration)
    data["_sendtest"] = "1"
    response = staff_client.post(
        reverse("admin:integrations_integration_change", args=[integration.pk]), data
    )
    page = staff_client.get(response["Location"])
    result = page.context["test_result"]
    assert not result.ok
    assert "Connection failed" in result.error
    assert "Test Alert message failed" in page.content.decode()


def test_a_loopback_url_is_refused_at_the_field(staff_client, settings) -> None:
    settings.OUTBOUND_ALLOWLIST = []
    integration = preset_integration("https://hooks.example.com/in")
    data = change_form_data(staff_client, integration)
    data["variables-0-value"] = "http://127.0.0.1/hook"
    page = staff_client.post(reverse("admin:integrations_integration_change", args=[integration.pk]), data)
    assert page.status_code == 200
    assert "loopback" in str(page.context["inline_admin_formsets"][0].formset.errors)


def _debug(page) -> str:  # type: ignore[no-untyped-def]
    errors = [page.context["adminform"].form.errors]
    for f in page.context["inline_admin_formsets"]:
        errors.append(f.formset.errors)
        errors.append(f.formset.non_form_errors())
    return str(errors)
