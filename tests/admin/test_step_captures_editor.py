"""Captures in the admin's step editor: shown as rows, saved from rows,
checked across the steps with errors at the field."""

from __future__ import annotations

from django.urls import reverse

from integrations import provisioning
from integrations.models import Integration, IntegrationKind, IntegrationStep, IntegrationVariable
from tests.admin.test_integration_editor import _debug, change_form_data

TICKET = {"name": "TicketId", "source": "json-pointer", "expression": "/result/0/id"}


def servicenow() -> Integration:
    integration = provisioning.apply_preset(Integration(name="ServiceNow desk"), "servicenow")
    values = {"InstanceName": "acme", "Username": "alerts", "Password": "pw-123456"}
    for variable in integration.variables.all():
        if variable.name in values:
            setattr(variable, "secret_value" if variable.is_secret else "value", values[variable.name])
            variable.save()
    integration.customized = True
    integration.save()
    return integration


def two_steps() -> Integration:
    integration = Integration.objects.create(name="Tickets", kind=IntegrationKind.WEBHOOK)
    IntegrationVariable.objects.create(integration=integration, name="Base", value="https://tickets.example")
    IntegrationStep.objects.create(integration=integration, position=1, name="Find", url="{{Base}}/find")
    IntegrationStep.objects.create(integration=integration, position=2, name="Update", url="{{Base}}/t/1")
    return integration


def url_of(integration: Integration) -> str:
    return reverse("admin:integrations_integration_change", args=[integration.pk])


def rows(data: dict[str, object], step: int, *captures: dict[str, object]) -> None:
    """Post ``captures`` as the editor's rows for step form ``step`` (plus a blank row)."""
    field = f"steps-{step}-captures"
    data.pop(field, None)
    data[f"{field}-rows"] = str(len(captures) + 1)
    for index, capture in enumerate(captures):
        for key, value in capture.items():
            if value is True:
                data[f"{field}-{index}-{key}"] = "on"
            elif value is not False:
                data[f"{field}-{index}-{key}"] = value
    data[f"{field}-{len(captures)}-source"] = "json-pointer"  # the blank row as the browser posts it


def test_the_editor_shows_captures_as_rows(staff_client) -> None:
    integration = servicenow()
    html = staff_client.get(url_of(integration)).content.decode()
    # The lookup step (form 1) captures the incident's sys_id for the PATCH.
    assert 'name="steps-1-captures-0-name" value="IncidentSysId"' in html
    assert 'name="steps-1-captures-0-expression" value="/result/0/sys_id"' in html
    assert '<option value="json-pointer" selected>JSON pointer</option>' in html
    assert 'name="steps-1-captures-rows" value="2"' in html  # the capture and a blank row
    assert 'name="steps-0-captures-rows" value="1"' in html
    assert "Add a capture" in html and "integrations/captures.js" in html
    assert "a message runs every step ticked for its alert type, in order" in html
    # The variable panel offers the capture to the later steps.
    assert 'data-token="{{IncidentSysId}}"' in html
    assert "Captured by step 2 from its response, for the later steps." in html


def test_captures_are_saved_from_rows(staff_client) -> None:
    integration = two_steps()
    data = change_form_data(staff_client, integration)
    rows(
        data,
        0,
        TICKET,
        {"name": "Sid", "source": "regex", "expression": "sid=(\\w+)", "secret": True, "optional": True},
    )
    data["steps-1-url"] = "{{Base}}/t/{{TicketId}}"
    data["steps-1-headers"] = '[["Cookie", "sid={{Sid}}"]]'
    response = staff_client.post(url_of(integration), data)
    assert response.status_code == 302, _debug(response)
    step = integration.steps.get(position=1)
    assert step.captures == [
        {
            "name": "TicketId",
            "source": "json-pointer",
            "expression": "/result/0/id",
            "secret": False,
            "optional": False,
        },
        {"name": "Sid", "source": "regex", "expression": "sid=(\\w+)", "secret": True, "optional": True},
    ]
    assert integration.steps.get(position=2).url == "{{Base}}/t/{{TicketId}}"
    # Posting the page again unchanged keeps them; emptying the rows removes them.
    data = change_form_data(staff_client, integration)
    assert staff_client.post(url_of(integration), data).status_code == 302
    assert integration.steps.get(position=1).captures == step.captures
    data = change_form_data(staff_client, integration)
    rows(data, 0)
    data["steps-1-url"] = "{{Base}}/t/1"
    data["steps-1-headers"] = "[]"
    assert staff_client.post(url_of(integration), data).status_code == 302
    assert integration.steps.get(position=1).captures == []


def test_capture_mistakes_are_errors_at_their_field(staff_client) -> None:
    integration = two_steps()
    data = change_form_data(staff_client, integration)
    rows(data, 0, {"name": "TicketId", "source": "json-pointer", "expression": "result/0/id"})
    page = staff_client.post(url_of(integration), data)
    assert page.status_code == 200
    form = page.context["inline_admin_formsets"][1].formset.forms[0]
    assert form.errors["captures"] == [
        "capture TicketId: a JSON pointer starts with / (e.g. /result/0/sys_id), or is empty for the whole "
        "document."
    ]
    # The rows come back as typed, to be corrected.
    assert 'name="steps-0-captures-0-expression" value="result/0/id"' in page.content.decode()

    # Used by an earlier step, or by a step that runs for a type the capturing step does not.
    data = change_form_data(staff_client, integration)
    rows(data, 1, {"name": "TicketId", "source": "json-pointer", "expression": "/id"})
    data["steps-0-url"] = "{{Base}}/find/{{TicketId}}"
    page = staff_client.post(url_of(integration), data)
    assert page.status_code == 200
    forms = page.context["inline_admin_formsets"][1].formset.forms
    assert forms[0].errors["url"] == ["{{TicketId}} is captured by step 2, which runs after this step."]

    data = change_form_data(staff_client, integration)
    rows(data, 0, {"name": "TicketId", "source": "json-pointer", "expression": "/id"})
    data.pop("steps-0-handles_reminder", None)
    data["steps-1-body"] = '{"id": "{{TicketId}}"}'
    page = staff_client.post(url_of(integration), data)
    assert page.status_code == 200
    forms = page.context["inline_admin_formsets"][1].formset.forms
    assert forms[1].errors["body"] == [
        "{{TicketId}} is captured by step 1, which does not run for Reminder messages; "
        "tick the same alert types there."
    ]
    assert integration.steps.get(position=1).captures == []  # nothing was saved
