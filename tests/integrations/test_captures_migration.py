"""The upgrade to step chaining: integrations made from the ServiceNow preset
and not customized take its lookup-and-PATCH steps (the import-set variable
goes, CloseCode comes with its default); customized ones keep theirs."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("integrations", "0007_acknowledged_steps")]
AFTER = [("integrations", "0009_h15c_step_captures")]
CREATE = "https://x.example/create"
OLD_RESOLVE = "https://{{InstanceName}}.service-now.com/api/now/import/{{@UrlEncode({{ResolveImportSet}})}}"


def migrate(targets):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_uncustomized_servicenow_integrations_get_the_new_steps() -> None:
    apps = migrate(BEFORE)
    Integration = apps.get_model("integrations", "Integration")
    Step = apps.get_model("integrations", "IntegrationStep")
    Variable = apps.get_model("integrations", "IntegrationVariable")
    made = {}
    for name, customized in (("plain", False), ("custom", True)):
        integration = Integration.objects.create(
            name=name, kind="webhook", preset="servicenow", customized=customized
        )
        for position, variable in enumerate(("InstanceName", "Username", "ResolveImportSet")):
            Variable.objects.create(integration=integration, name=variable, value="x", position=position)
        Step.objects.create(
            integration=integration, position=1, url="https://x.example/create", handles_ok=False
        )
        Step.objects.create(
            integration=integration, position=2, url=OLD_RESOLVE, handles_alert=False, handles_reminder=False
        )
        made[name] = integration.pk
    try:
        apps = migrate(AFTER)
        Step = apps.get_model("integrations", "IntegrationStep")
        Variable = apps.get_model("integrations", "IntegrationVariable")
        plain = Step.objects.filter(integration_id=made["plain"]).order_by("position")
        assert [(s.name, s.method, s.handles_ok) for s in plain] == [
            ("Create incident", "POST", False),
            ("Look up incident", "GET", True),
            ("Resolve incident", "PATCH", True),
        ]
        assert plain[1].captures == [
            {
                "name": "IncidentSysId",
                "source": "json-pointer",
                "expression": "/result/0/sys_id",
                "secret": False,
                "optional": False,
            }
        ]
        names = dict(Variable.objects.filter(integration_id=made["plain"]).values_list("name", "value"))
        assert "ResolveImportSet" not in names
        assert names["CloseCode"] == "Resolved by caller" and names["InstanceName"] == "x"
        custom = Step.objects.filter(integration_id=made["custom"]).order_by("position")
        assert [s.url for s in custom] == [CREATE, OLD_RESOLVE]
        assert Variable.objects.filter(integration_id=made["custom"], name="ResolveImportSet").exists()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
