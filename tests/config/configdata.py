"""A full configuration built through the API, for the export/apply tests."""

from __future__ import annotations

import importlib

from django.apps import apps

from alerting.models import AlertDefinition, Monitor, MonitorGroup, Operator, OperatorGroup
from integrations.models import Integration

SECRETS = (
    "hook-token-secret-1a2b",
    "basic-pw-secret-3c4d",
    "signing-secret-5e6f-0123456789",
    "svc-secret-7a8b",
)


def build(api) -> None:
    def post(path, body):
        response = api.post(path, body)
        assert response.status_code == 201, response.content
        return response.json()["id"]

    alice = post(
        "operators",
        {
            "full_name": "Alice",
            "email": "alice@example.com",
            "mobile_phone": "+31612345678",
            "time_zone": "Europe/Amsterdam",
            "off_duty_schedules": [
                {"mode": "weekly", "weekday": 6, "start_time": "08:00", "end_time": "20:00"},
                {
                    "mode": "one_time",
                    "start_datetime": "2030-07-01T00:00:00Z",
                    "end_datetime": "2030-07-14T00:00:00Z",
                    "description": "Holiday",
                },
            ],
        },
    )
    bob = post("operators", {"full_name": "Bob", "email": "bob@example.com", "is_on_duty": False})
    on_call = post("operator-groups", {"name": "On call", "members": [alice, bob]})
    admins = OperatorGroup.objects.get(is_administrators=True)
    assert api.patch(f"operator-groups/{admins.pk}", {"members": [alice]}).status_code == 200
    post("monitors", {"key": "shop/home", "name": "Shop", "custom_fields": {"ComponentId": "c-1"}})
    db = post("monitors", {"key": "db-1", "name": "Database", "generate_alerts": False})
    web = post("monitor-groups", {"name": "Web", "monitors": ["shop/home"]})
    post(
        "maintenance-periods",
        {"monitor": db, "mode": "daily", "start_time": "02:00", "end_time": "03:00"},
    )
    post(
        "maintenance-periods",
        {
            "monitor_group": web,
            "mode": "monthly",
            "month_day": 31,
            "start_time": "23:00",
            "end_time": "01:00",
            "maintenance_type": "disable_monitoring",
        },
    )
    hook = post(
        "integrations",
        {
            "name": "Hook",
            "kind": "webhook",
            "signing_secrets": [SECRETS[2]],
            "variables": [
                {"name": "Channel", "mode": "per_level"},
                {"name": "Token", "is_secret": True, "secret_value": SECRETS[0]},
            ],
            "steps": [
                {
                    "url": "https://hooks.example.com/{{Channel}}",
                    "headers": [["X-Token", "{{Token}}"]],
                    "body": '{"m": "{{@JsonEncode({{@monitor.name}})}}"}',
                    "auth_type": "basic",
                    "auth_username": "alerts",
                    "auth_password": SECRETS[1],
                }
            ],
        },
    )
    post(
        "integrations",
        {
            "name": "ntfy",
            "preset": "ntfy",
            "variables": [{"name": "Topic", "is_secret": True, "secret_value": "t-1"}],
        },
    )
    status = post(
        "integrations",
        {
            "name": "Status",
            "kind": "statushub",
            "statushub_services": [
                {"name": "Shop", "webhook_url": f"https://statushub.example/{SECRETS[3]}"}
            ],
        },
    )
    email = str(Integration.objects.get(is_builtin=True, kind="email").pk)
    post(
        "alert-definitions",
        {
            "name": "Production",
            "monitors": [db],
            "monitor_groups": [web],
            "levels": [
                {
                    "number": 1,
                    "operators": [alice],
                    "integrations": [
                        {"integration": email, "extra_email_addresses": ["ops@example.com"]},
                        {"integration": hook, "variable_values": {"Channel": "ops"}},
                        {
                            "integration": status,
                            "statushub_service_links": [{"monitor": "shop/home", "service": "Shop"}],
                        },
                    ],
                },
                {
                    "number": 2,
                    "threshold": 10,
                    "mode": "error_duration",
                    "number_of_reminders": 3,
                    "operator_groups": [on_call],
                    "integrations": [{"integration": hook, "variable_values": {"Channel": "managers"}}],
                },
            ],
        },
    )
    default = AlertDefinition.objects.get(name="Default alert definition")
    assert api.patch(f"alert-definitions/{default.pk}", {"is_active": False}).status_code == 200


def make_fresh() -> None:
    """What a newly migrated database holds: only the defaults."""
    for model in (AlertDefinition, Integration, Monitor, MonitorGroup, Operator, OperatorGroup):
        model.objects.all().delete()
    defaults = importlib.import_module("integrations.migrations.0002_defaults")
    defaults.create_defaults(apps, None)
