"""Step captures in the configuration file: exported, applied from a file
(hand-written, flags left out), unchanged on a second apply, and refused with
the object and field named."""

from __future__ import annotations

import copy
import io

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from integrations.models import Integration, IntegrationKind, IntegrationStep, IntegrationVariable

pytestmark = pytest.mark.django_db

LOOKUP = {"name": "TicketId", "source": "json-pointer", "expression": "/result/0/id"}
FULL_LOOKUP = {**LOOKUP, "secret": False, "optional": False}
TOKEN = {
    "name": "Token",
    "source": "regex",
    "expression": '"token":"([^"]+)"',
    "secret": True,
    "optional": False,
}


def document() -> dict:
    return copy.deepcopy(DOCUMENT)


DOCUMENT = {
    "integrations": [
        {
            "name": "Tickets",
            "kind": "webhook",
            "variables": [{"name": "Base", "value": "https://tickets.example"}],
            "steps": [
                {"name": "Login", "url": "{{Base}}/login", "captures": [TOKEN]},
                {
                    "name": "Find",
                    "method": "GET",
                    "url": "{{Base}}/find?key={{@incident.key}}",
                    "headers": [["Authorization", "Bearer {{Token}}"]],
                    "captures": [LOOKUP],
                },
                {
                    "name": "Update",
                    "method": "PATCH",
                    "url": "{{Base}}/tickets/{{TicketId}}",
                    "headers": [["Authorization", "Bearer {{Token}}"]],
                    "body": '{"state": "{{@alert.type}}"}',
                },
            ],
        }
    ]
}


def apply(path, *args: str) -> str:
    out = io.StringIO()
    call_command("apply_config", str(path), *args, stdout=out)
    return out.getvalue()


def test_captures_are_applied_exported_and_stable(tmp_path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(document()))
    assert "create integration Tickets" in apply(path)
    steps = list(IntegrationStep.objects.filter(integration__name="Tickets").order_by("position"))
    # A hand-written capture without the flags gets their defaults.
    assert [s.captures for s in steps] == [[TOKEN], [FULL_LOOKUP], []]
    assert apply(path) == "No changes.\n"

    exported = tmp_path / "exported.yaml"
    call_command("export_config", "--output", str(exported), stderr=io.StringIO())
    [tickets] = [i for i in yaml.safe_load(exported.read_text())["integrations"] if i["name"] == "Tickets"]
    assert [s.get("captures") for s in tickets["steps"]] == [[TOKEN], [FULL_LOOKUP], []]
    assert apply(exported) == "No changes.\n"

    # Changing a capture in the file changes the steps.
    data = yaml.safe_load(exported.read_text())
    [tickets] = [i for i in data["integrations"] if i["name"] == "Tickets"]
    tickets["steps"][1]["captures"][0]["optional"] = True
    exported.write_text(yaml.safe_dump(data))
    assert "change integration Tickets: steps" in apply(exported)
    assert IntegrationStep.objects.get(integration__name="Tickets", position=2).captures == [
        {**FULL_LOOKUP, "optional": True}
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda steps: steps[1]["captures"][0].update(source="jsonpath"),
            "integrations[Tickets].steps[1].captures: capture TicketId: the source is json-pointer or regex.",
        ),
        (
            lambda steps: steps.reverse(),
            "integrations[Tickets].steps[0].url: {{TicketId}} is captured by step 2, which runs after this "
            "step.",
        ),
        (
            lambda steps: steps[1].update(handles_ok=False),
            "integrations[Tickets].steps[2].url: {{TicketId}} is captured by step 2, which does not run for "
            "Ok messages; tick the same alert types there.",
        ),
    ],
)
def test_bad_captures_stop_the_apply(tmp_path, change, message) -> None:
    existing = Integration.objects.create(name="Tickets", kind=IntegrationKind.WEBHOOK)
    IntegrationVariable.objects.create(integration=existing, name="Base", value="https://tickets.example")
    IntegrationStep.objects.create(integration=existing, position=1, url="{{Base}}/old")
    data = document()
    steps = data["integrations"][0]["steps"]
    change(steps)
    for position, step in enumerate(steps, start=1):
        step["position"] = position
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(CommandError) as caught:
        apply(path)
    assert message in str(caught.value)
    # Nothing changed.
    assert list(existing.steps.values_list("url", flat=True)) == ["{{Base}}/old"]
