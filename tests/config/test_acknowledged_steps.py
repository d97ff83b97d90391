"""handles_acknowledged through the integrations API and the configuration
file: off unless asked for, exported and applied."""

from __future__ import annotations

import io

import yaml
from django.core.management import call_command

from integrations.models import Integration, IntegrationStep


def body(**ack_step):
    return {
        "name": "Pager bridge",
        "kind": "webhook",
        "steps": [
            {"name": "Errors", "handles_ok": False, "url": "https://pager.example/alert"},
            {
                "name": "Ok",
                "handles_alert": False,
                "handles_reminder": False,
                "url": "https://pager.example/ok",
            },
            {
                "name": "Ack",
                "handles_alert": False,
                "handles_ok": False,
                "handles_reminder": False,
                "url": "https://pager.example/ack",
                **ack_step,
            },
        ],
    }


def test_the_api_takes_and_shows_handles_acknowledged(api):
    created = api.post("integrations", body(handles_acknowledged=True))
    assert created.status_code == 201, created.content
    steps = created.json()["steps"]
    assert [s["handles_acknowledged"] for s in steps] == [False, False, True]
    # Two steps for the type: both run, in order (step chaining).
    twice = body(handles_acknowledged=True)
    twice["name"] = "Twice"
    twice["steps"][0]["handles_acknowledged"] = True
    accepted = api.post("integrations", twice)
    assert accepted.status_code == 201, accepted.content
    assert [s["handles_acknowledged"] for s in accepted.json()["steps"]] == [True, False, True]
    # A step that handles no type at all is refused; Acknowledged alone is enough.
    none = body()
    none["name"] = "None"
    assert api.post("integrations", none).status_code == 400


def test_export_and_apply_keep_it(api, tmp_path):
    assert api.post("integrations", body(handles_acknowledged=True)).status_code == 201
    path = tmp_path / "config.yaml"
    call_command("export_config", "--output", str(path), stderr=io.StringIO())
    document = yaml.safe_load(path.read_text())
    [exported] = [i for i in document["integrations"] if i["name"] == "Pager bridge"]
    assert [s.get("handles_acknowledged") for s in exported["steps"]] == [False, False, True]
    # Applying a file that turns it off on the third step and on for the first.
    exported["steps"][2]["handles_acknowledged"] = False
    exported["steps"][2]["handles_reminder"] = True
    exported["steps"][0]["handles_reminder"] = False
    exported["steps"][0]["handles_acknowledged"] = True
    path.write_text(yaml.safe_dump(document))
    call_command("apply_config", str(path), stdout=io.StringIO())
    integration = Integration.objects.get(name="Pager bridge")
    flags = list(
        IntegrationStep.objects.filter(integration=integration).values_list("name", "handles_acknowledged")
    )
    assert sorted(flags) == [("Ack", False), ("Errors", True), ("Ok", False)]
