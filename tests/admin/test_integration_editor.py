"""The integration editor: type picker, preset forms, template errors, preview and test."""

from __future__ import annotations

import json

from django.urls import reverse
from django.utils.html import escape
from pytest_httpserver import HTTPServer

from integrations import presets, provisioning
from integrations.models import Integration, IntegrationKind, IntegrationVariable

ADD = "/admin/integrations/integration/add/"
SECRET = "tok-4c3b2a1908f7e6d5"


def receiver_url(server: HTTPServer, path: str) -> str:
    # By address: outbound calls are pinned to one resolved address (127.0.0.1 is allowlisted).
    return f"http://127.0.0.1:{server.port}{path}"


def preset_integration(url: str, name: str = "Receiver") -> Integration:
    integration = Integration.objects.create(name=name, kind=IntegrationKind.WEBHOOK)
    provisioning.apply_preset(integration, "uptrends")
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


def test_two_steps_may_send_one_alert_type(staff_client) -> None:
    # A message runs every step ticked for its type, in order (step chaining).
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
    assert page.status_code == 302, _debug(page)
    assert list(integration.steps.filter(handles_ok=True).values_list("position", flat=True)) == [1, 2]


def preview_url(integration: Integration | None = None) -> str:
    if integration is None:
        return reverse("admin:integrations_integration_test_add")
    return reverse("admin:integrations_integration_test", args=[integration.pk])


def stored(integration: Integration) -> dict[str, object]:
    """Everything the editor could write: the integration, its variables and steps."""
    integration = Integration.objects.get(pk=integration.pk)
    return {
        "row": {f.attname: getattr(integration, f.attname) for f in Integration._meta.concrete_fields},
        "variables": list(integration.variables.values()),
        "steps": list(integration.steps.values()),
    }


def test_preview_renders_the_unsaved_form_and_writes_nothing(
    staff_client, httpserver: HTTPServer, settings
) -> None:
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    integration = preset_integration(receiver_url(httpserver, "/hook"))
    before = stored(integration)
    data = change_form_data(staff_client, integration)
    data.update({"_preview": "1", "test_alert_type": "Ok", "test_level": "2", "name": "Renamed, unsaved"})
    data["steps-0-body"] = '{"edited": "{{@alert.type}} at level {{@escalationLevel.id}}"}'
    response = staff_client.post(f"{preview_url(integration)}?fragment=1", data)
    assert response.status_code == 200
    result = response.context["result"]
    assert result.action == "preview" and result.ok, result.problems
    [exchange] = result.exchanges
    assert json.loads(exchange["request"]["body"]) == {"edited": "Ok at level 2"}
    html = response.content.decode()
    assert "Preview of a test Ok message (nothing was sent, nothing was saved)" in html
    assert html.lstrip().startswith('<section id="test-result"')  # a fragment for the page's script
    assert len(httpserver.log) == 0
    assert stored(integration) == before


def test_the_change_url_with_the_preview_button_saves_nothing_either(staff_client, settings) -> None:
    """Without the editor's script the buttons post to the test view (formaction); a
    post to the change page with the same button is a preview too, never a save."""
    integration = preset_integration("https://hooks.example.com/in")
    before = stored(integration)
    data = change_form_data(staff_client, integration)
    data.update({"_preview": "1", "name": "Renamed, unsaved"})
    data["steps-0-body"] = '{"broken": {{@alert.description}}}'
    change = reverse("admin:integrations_integration_change", args=[integration.pk])
    response = staff_client.post(change, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Back to the editor" in html and "Preview of a test Alert message" in html
    assert "{&quot;broken&quot;: Step 1: Navigate to" in html  # the body as it stands
    # The editor's check of what was previewed.
    assert "the body is not valid JSON even with plain sample values" in html
    assert stored(integration) == before
    page = staff_client.get(reverse("admin:integrations_integration_change", args=[integration.pk]))
    assert f'formaction="{preview_url(integration)}"' in page.content.decode()


def test_a_form_error_is_shown_and_nothing_is_sent(staff_client, httpserver: HTTPServer, settings) -> None:
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    integration = preset_integration(receiver_url(httpserver, "/hook"))
    data = change_form_data(staff_client, integration)
    data.update({"_sendtest": "1", "steps-0-body": '{"u": "{{ApiUlr}}"}'})
    response = staff_client.post(f"{preview_url(integration)}?fragment=1", data)
    result = response.context["result"]
    assert result.problems == [
        "Step 1 body: {{ApiUlr}} at line 1, column 8: unknown variable ApiUlr (did you mean ApiUrl?)"
    ]
    assert "Nothing was sent: correct the form first" in response.content.decode()
    assert len(httpserver.log) == 0


def test_preview_of_a_new_integration_before_it_is_ever_saved(staff_client, settings) -> None:
    url = f"{ADD}?preset=uptrends"
    data = form_data(staff_client, url)
    data["variables-0-value"] = "https://hooks.example.com/uptrends"
    data["_preview"] = "1"
    response = staff_client.post(f"{preview_url()}?fragment=1", data)
    result = response.context["result"]
    assert result.ok, result.problems
    [exchange] = result.exchanges
    assert exchange["request"]["url"] == "https://hooks.example.com/uptrends"
    assert json.loads(exchange["request"]["body"])["monitor"]["name"]
    assert not Integration.objects.filter(preset="uptrends").exists()


def test_preview_of_a_new_email_integration_uses_the_recipient_typed(staff_client) -> None:
    url = f"{ADD}?kind=email"
    data = form_data(staff_client, url)
    data.update({"name": "Mail", "_preview": "1", "test_recipient": "oncall@example.com"})
    data["test_alert_type"] = "Reminder"
    response = staff_client.post(f"{preview_url()}?fragment=1", data)
    result = response.context["result"]
    assert result.ok, result.problems
    [exchange] = result.exchanges
    assert "oncall@example.com" in json.dumps(exchange["request"])
    assert not Integration.objects.filter(name="Mail").exists()


def test_send_test_of_the_unsaved_form_shows_request_and_answer_with_secrets_redacted(
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
    before = stored(integration)
    data = change_form_data(staff_client, integration)
    data["variables-TOTAL_FORMS"] = "2"
    data["variables-INITIAL_FORMS"] = "2"
    data["steps-0-headers"] = '[["Authorization", "Bearer {{Token}}"], ["X-Copy", "{{Token}}"]]'
    data["_sendtest"] = "1"
    response = staff_client.post(f"{preview_url(integration)}?fragment=1", data)
    html = response.content.decode()
    assert "Test Alert message sent (nothing was saved)" in html
    assert "202" in html and "thanks" in html and "X-Receiver" in html
    assert SECRET not in html
    request, _ = httpserver.log[0]
    assert request.headers["X-Copy"] == SECRET  # the receiver got the real value
    # The headers the HTTP client added are shown as sent.
    for name in ("User-Agent", "Content-Length", "Host", "Accept-Encoding"):
        assert f"<th>{name}</th><td><code>{escape(request.headers[name])}</code>" in html
    assert stored(integration) == before


def test_a_receiver_that_cannot_be_reached_is_shown_not_raised(staff_client, settings) -> None:
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    integration = preset_integration("http://127.0.0.1:9/hook")  # nothing listens on port 9
    data = change_form_data(staff_client, integration)
    data["_sendtest"] = "1"
    response = staff_client.post(f"{preview_url(integration)}?fragment=1", data)
    result = response.context["result"]
    assert not result.ok
    assert result.error == "connection refused by 127.0.0.1:9"
    html = response.content.decode()
    assert "Test Alert message failed" in html
    # One line to read, the library's full text behind it.
    assert '<p class="test-error connection-error">connection refused by 127.0.0.1:9</p>' in html
    assert '<details class="error-detail"><summary>Details</summary>' in html
    assert "[Errno 111] Connection refused" in html


def test_only_editors_may_test(client, staff_client, django_user_model) -> None:
    integration = preset_integration("https://hooks.example.com/in")
    data = change_form_data(staff_client, integration)
    data["_preview"] = "1"
    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_integration"))
    client.force_login(viewer)
    assert client.post(preview_url(integration), data).status_code == 403
    assert client.post(preview_url(), data).status_code == 403
    assert client.post(CHECK_BODY, {**data, "step": "steps-0"}).status_code == 403
    assert staff_client.get(preview_url(integration)).status_code == 405


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


# --- Headers as name/value rows -------------------------------------------------------


def test_headers_are_edited_as_rows_and_stored_as_pairs(staff_client) -> None:
    integration = preset_integration("https://hooks.example.com/in")
    integration.steps.update(headers=[["X-Team", "ops"], ["X-Monitor", "{{@monitor.name}}"]])
    change = reverse("admin:integrations_integration_change", args=[integration.pk])
    html = staff_client.get(change).content.decode()
    assert 'textarea name="steps-0-headers"' not in html
    assert 'name="steps-0-headers__name" value="X-Team"' in html
    assert 'name="steps-0-headers__value" value="{{@monitor.name}}"' in html
    assert html.count('name="steps-0-headers__name"') == 3  # two headers and an empty row
    assert 'class="header-add"' in html and 'class="header-remove"' in html

    data = change_form_data(staff_client, integration)
    del data["steps-0-headers"]
    # X-Team removed, a header added, the empty row left empty: as the browser posts the rows.
    rows = {
        "steps-0-headers__name": ["X-Monitor", "Authorization", ""],
        "steps-0-headers__value": ["{{@monitor.name}}", "Bearer {{ApiUrl}}", ""],
    }
    response = staff_client.post(change, {**data, **rows})
    assert response.status_code == 302, _debug(response)
    assert integration.steps.get().headers == [
        ["X-Monitor", "{{@monitor.name}}"],
        ["Authorization", "Bearer {{ApiUrl}}"],
    ]


def test_a_header_row_without_a_name_or_with_a_bad_variable_is_a_field_error(staff_client) -> None:
    integration = preset_integration("https://hooks.example.com/in")
    change = reverse("admin:integrations_integration_change", args=[integration.pk])
    data = change_form_data(staff_client, integration)
    data.pop("steps-0-headers", None)
    page = staff_client.post(
        change, {**data, "steps-0-headers__name": ["", "X-A"], "steps-0-headers__value": ["orphan", "x"]}
    )
    assert page.status_code == 200
    errors = page.context["inline_admin_formsets"][1].formset.forms[0].errors["headers"]
    assert errors == ["Header row 1 has a value but no name."]
    # What was typed is shown again in its rows.
    assert 'name="steps-0-headers__value" value="orphan"' in page.content.decode()

    page = staff_client.post(
        change, {**data, "steps-0-headers__name": ["X-A"], "steps-0-headers__value": ["{{ApiUlr}}"]}
    )
    errors = page.context["inline_admin_formsets"][1].formset.forms[0].errors["headers"]
    assert errors == [
        "header X-A: {{ApiUlr}} at line 1, column 1: unknown variable ApiUlr (did you mean ApiUrl?)"
    ]
    assert integration.steps.get().headers == []


def test_headers_posted_as_json_are_still_read(staff_client) -> None:
    integration = preset_integration("https://hooks.example.com/in")
    change = reverse("admin:integrations_integration_change", args=[integration.pk])
    data = change_form_data(staff_client, integration)
    data["steps-0-headers"] = '[["X-Json", "yes"]]'
    assert staff_client.post(change, data).status_code == 302
    assert integration.steps.get().headers == [["X-Json", "yes"]]
    data["steps-0-headers"] = '{"not": "pairs"}'
    page = staff_client.post(change, data)
    assert page.context["inline_admin_formsets"][1].formset.forms[0].errors["headers"] == [
        'Enter headers as a list of ["Name", "value"] pairs.'
    ]


# --- The body check as the body is typed ----------------------------------------------

CHECK_BODY = "/admin/integrations/integration/check-body/"


def test_the_live_body_check_answers_for_the_form_as_posted(staff_client) -> None:
    integration = preset_integration("https://hooks.example.com/in")
    data = change_form_data(staff_client, integration)
    page = staff_client.get(reverse("admin:integrations_integration_change", args=[integration.pk]))
    assert f'data-check-body-url="{CHECK_BODY}"' in page.content.decode()
    # The preset's body passes: every value is JSON-encoded.
    answer = staff_client.post(CHECK_BODY, {**data, "step": "steps-0"}).json()
    assert answer["format"] == "JSON" and answer["messages"] == []

    data["steps-0-body"] = '{"text": "{{@alert.description}}", "channel": "{{Channel}}"}'
    data["variables-TOTAL_FORMS"] = "2"
    data.update({"variables-1-name": "Channel", "variables-1-mode": "fixed", "variables-1-value": "#ops"})
    answer = staff_client.post(CHECK_BODY, {**data, "step": "steps-0"}).json()
    assert answer["encoder"] == "@JsonEncode"
    [finding] = answer["findings"]
    assert finding["token"] == "{{@alert.description}}"
    assert finding["wrap"] == "{{@JsonEncode({{@alert.description}})}}"
    assert finding["edits"] == [[10, 32, "{{@JsonEncode({{@alert.description}})}}"]]
    assert finding["message"].startswith("{{@alert.description}} at line 1, column 11: a double quote")

    # A Channel value that breaks the body is the real value: the body is broken for any alert.
    data["variables-1-value"] = 'say "hi"'
    answer = staff_client.post(CHECK_BODY, {**data, "step": "steps-0"}).json()
    assert answer["findings"] == []
    assert answer["messages"][0].startswith("the body is not valid JSON even with plain sample values")

    # XML by a header that overrides the content type; GET sends no body.
    data["steps-0-body"] = "<a>{{@alert.description}}</a>"
    data.pop("steps-0-headers", None)
    xml = {**data, "step": "steps-0", "steps-0-headers__name": ["Content-Type"]}
    xml["steps-0-headers__value"] = ["application/xml"]
    assert staff_client.post(CHECK_BODY, xml).json()["encoder"] == "@XmlEncode"
    assert staff_client.post(CHECK_BODY, {**xml, "steps-0-method": "GET"}).json()["format"] == ""
    assert staff_client.post(CHECK_BODY, {**xml, "step": "variables-0"}).json()["format"] == ""
    assert staff_client.get(CHECK_BODY).status_code == 405


def test_after_saving_the_body_check_is_a_warning_message(staff_client) -> None:
    integration = preset_integration("https://hooks.example.com/in")
    data = change_form_data(staff_client, integration)
    data["steps-0-body"] = '{"text": "{{@alert.description}}"}'
    change = reverse("admin:integrations_integration_change", args=[integration.pk])
    response = staff_client.post(change, data, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert (
        "step 1 body: {{@alert.description}} at line 1, column 11: a double quote, a backslash or a line "
        "break in its value makes the body invalid JSON; write {{@JsonEncode({{@alert.description}})}}"
    ) in shown
