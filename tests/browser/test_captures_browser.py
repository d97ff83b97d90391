"""The step editor's captures in a real browser: "Add a capture" adds a row,
the rows are saved, and a later step may use the capture."""

from __future__ import annotations

import pytest

from integrations.models import Integration, IntegrationKind, IntegrationStep, IntegrationVariable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


PLAIN = {"secret": False, "optional": False}


def test_add_captures_and_use_them_in_a_later_step(page) -> None:
    integration = Integration.objects.create(name="Tickets", kind=IntegrationKind.WEBHOOK)
    IntegrationVariable.objects.create(integration=integration, name="Base", value="https://tickets.example")
    IntegrationStep.objects.create(integration=integration, position=1, name="Find", url="{{Base}}/find")
    IntegrationStep.objects.create(integration=integration, position=2, name="Update", url="{{Base}}/t/1")
    page.goto(f"{page.base}/admin/integrations/integration/{integration.pk}/change/")

    first = page.locator(".capture-rows[data-field='steps-0-captures']")
    assert first.locator("tbody tr").count() == 1  # one blank row to start with
    page.fill("input[name=steps-0-captures-0-name]", "TicketId")
    page.fill("input[name=steps-0-captures-0-expression]", "/result/0/id")
    first.locator(".capture-add").click()
    assert first.locator("tbody tr").count() == 2
    assert page.locator("input[name=steps-0-captures-rows]").input_value() == "2"
    # The new row is empty, whatever the row it was copied from held.
    assert page.locator("input[name=steps-0-captures-1-name]").input_value() == ""
    page.fill("input[name=steps-0-captures-1-name]", "Session")
    page.select_option("select[name=steps-0-captures-1-source]", "regex")
    page.fill("input[name=steps-0-captures-1-expression]", "sid=(\\w+)")
    page.check("input[name=steps-0-captures-1-secret]")
    page.fill("input[name=steps-1-url]", "{{Base}}/t/{{TicketId}}?s={{Session}}")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")

    assert integration.steps.get(position=1).captures == [
        {
            "name": "TicketId",
            "source": "json-pointer",
            "expression": "/result/0/id",
            "secret": False,
            "optional": False,
        },
        {"name": "Session", "source": "regex", "expression": "sid=(\\w+)", "secret": True, "optional": False},
    ]
    assert integration.steps.get(position=2).url == "{{Base}}/t/{{TicketId}}?s={{Session}}"
    # Back on the page: the captures as rows, and in the variable panel.
    assert page.locator("input[name=steps-0-captures-1-name]").input_value() == "Session"
    assert page.locator("#variable-panel button[data-token='{{TicketId}}']").count() == 1
