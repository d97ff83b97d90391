from __future__ import annotations

import pytest

from alerting.models import AlertDefinition, EscalationLevel, MonitorGroup, OperatorGroup
from integrations.models import Integration, IntegrationVariable, LevelIntegration


@pytest.fixture
def setup(api):
    alice = api.post("operators", {"full_name": "Alice", "email": "alice@example.com"}).json()["id"]
    monitor = api.post("monitors", {"key": "web", "name": "Web"}).json()["id"]
    hook = Integration.objects.create(name="Hook", kind="webhook")
    IntegrationVariable.objects.create(integration=hook, name="Channel", mode="per_level")
    return {
        "alice": alice,
        "monitor": monitor,
        "hook": str(hook.pk),
        "email": str(Integration.objects.get(kind="email", is_builtin=True).pk),
        "everyone": str(OperatorGroup.objects.get(is_everyone=True).pk),
        "all_monitors": str(MonitorGroup.objects.get(is_all_monitors=True).pk),
    }


def test_new_definition_without_levels_gets_the_three_defaults(api, setup):
    response = api.post("alert-definitions", {"name": "Plain", "monitors": ["web"]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert [(lv["number"], lv["is_active"], lv["threshold"]) for lv in body["levels"]] == [
        (1, True, 1),
        (2, False, 2),
        (3, False, 3),
    ]
    assert body["monitors"] == [setup["monitor"]]


def test_definition_crud_with_nested_levels_and_links(api, setup):
    body = {
        "name": "Production",
        "monitor_groups": [setup["all_monitors"]],
        "levels": [
            {
                "number": 1,
                "operators": [setup["alice"]],
                "integrations": [
                    {"integration": setup["email"], "extra_email_addresses": ["ops@example.com"]},
                    {
                        "integration": setup["hook"],
                        "variable_values": {"Channel": "#ops"},
                        "send_reminders": False,
                    },
                ],
            },
            {
                "number": 2,
                "threshold": 5,
                "number_of_reminders": 2,
                "reminder_delay_minutes": 15,
                "operator_groups": [setup["everyone"]],
                "integrations": [{"integration": setup["hook"], "variable_values": {"Channel": "#managers"}}],
            },
        ],
    }
    created = api.post("alert-definitions", body)
    assert created.status_code == 201, created.content
    definition_id = created.json()["id"]
    levels = created.json()["levels"]
    assert [lv["number"] for lv in levels] == [1, 2]
    assert [link["integration_name"] for link in levels[0]["integrations"]] == ["E-mail", "Hook"]
    assert levels[0]["integrations"][1]["send_reminders"] is False
    assert levels[1]["operator_groups"] == [setup["everyone"]]

    level1_pk = EscalationLevel.objects.get(definition_id=definition_id, number=1).pk
    # Replacing the levels keeps level 1's row, drops level 2 and the e-mail link.
    replaced = api.patch(
        f"alert-definitions/{definition_id}",
        {
            "levels": [
                {
                    "number": 1,
                    "threshold": 2,
                    "integrations": [{"integration": setup["hook"], "variable_values": {"Channel": "#x"}}],
                }
            ]
        },
    )
    assert replaced.status_code == 200, replaced.content
    level = EscalationLevel.objects.get(definition_id=definition_id)
    assert (level.pk, level.number, level.threshold) == (level1_pk, 1, 2)
    assert list(level.operators.values_list("email", flat=True)) == ["alice@example.com"]
    assert [link.variable_values for link in LevelIntegration.objects.filter(level=level)] == [
        {"Channel": "#x"}
    ]

    renamed = api.patch(f"alert-definitions/{definition_id}", {"name": "Prod", "is_active": False})
    assert renamed.status_code == 200
    assert len(renamed.json()["levels"]) == 1

    put = api.put(
        f"alert-definitions/{definition_id}", {"name": "Prod", "monitors": ["web"], "monitor_groups": []}
    )
    assert put.status_code == 200
    assert put.json()["monitor_groups"] == [] and put.json()["monitors"] == [setup["monitor"]]

    assert api.delete(f"alert-definitions/{definition_id}").status_code == 204
    assert not AlertDefinition.objects.filter(pk=definition_id).exists()


def test_level_rules_are_400_with_field_errors(api, setup):
    gap = api.post("alert-definitions", {"name": "Gap", "levels": [{"number": 1}, {"number": 3}]})
    assert gap.status_code == 400
    assert "without gaps" in gap.json()["errors"]["levels"][0]

    twice = api.post("alert-definitions", {"name": "Twice", "levels": [{"number": 1}, {"number": 1}]})
    assert twice.status_code == 400 and "only once" in twice.json()["errors"]["levels"][0]

    bad_level = api.post(
        "alert-definitions",
        {"name": "Bad", "levels": [{"number": 1, "threshold": 0, "mode": "sometimes"}]},
    )
    assert bad_level.status_code == 400
    assert set(bad_level.json()["errors"]["levels"]["0"]) == {"threshold", "mode"}

    bad_links = api.post(
        "alert-definitions",
        {
            "name": "Links",
            "levels": [
                {
                    "number": 1,
                    "integrations": [
                        {"integration": setup["hook"], "variable_values": {"Nope": "x"}},
                        {"integration": setup["email"], "extra_email_addresses": ["not-an-address"]},
                    ],
                }
            ],
        },
    )
    assert bad_links.status_code == 400
    link_errors = bad_links.json()["errors"]["levels"]["0"]["integrations"]
    assert "Nope" in link_errors["0"]["variable_values"][0]
    assert "not-an-address" in link_errors["1"]["extra_email_addresses"][0]

    wrong_kind = api.post(
        "alert-definitions",
        {
            "name": "Kind",
            "levels": [
                {
                    "number": 1,
                    "integrations": [{"integration": setup["hook"], "extra_email_addresses": ["a@b.co"]}],
                }
            ],
        },
    )
    assert wrong_kind.status_code == 400
    assert "e-mail integrations only" in str(wrong_kind.json())

    duplicate_link = api.post(
        "alert-definitions",
        {
            "name": "Dup",
            "levels": [
                {
                    "number": 1,
                    "integrations": [{"integration": setup["email"]}, {"integration": setup["email"]}],
                }
            ],
        },
    )
    assert duplicate_link.status_code == 400
    assert not AlertDefinition.objects.filter(
        name__in=["Gap", "Twice", "Bad", "Links", "Kind", "Dup"]
    ).exists()

    existing = AlertDefinition.objects.get(name="Default alert definition")
    empty = api.patch(f"alert-definitions/{existing.pk}", {"levels": []})
    assert empty.status_code == 400 and "levels" in empty.json()["errors"]
    assert existing.levels.count() == 3
