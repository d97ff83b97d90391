"""What the data migrations create: a new account as Uptrends starts it."""

from __future__ import annotations

from alerting.models import AccountSettings, AlertDefinition, MonitorGroup, OperatorGroup
from integrations.models import Integration


def test_system_groups(db) -> None:
    everyone = OperatorGroup.objects.get(is_everyone=True)
    assert everyone.name == "Everyone"
    assert OperatorGroup.objects.get(is_administrators=True).name == "Administrators"
    assert MonitorGroup.objects.get(is_all_monitors=True).name == "All monitors"
    assert AccountSettings.load().stop_all_alerts is False


def test_builtin_integrations(db) -> None:
    kinds = dict(Integration.objects.filter(is_builtin=True).values_list("kind", "name"))
    assert kinds == {"email": "E-mail", "sms": "SMS", "phone": "Phone"}
    sms = Integration.objects.get(kind="sms")
    token = sms.variables.get(name="TwilioAuthToken")
    assert token.is_secret


def test_default_alert_definition(db) -> None:
    definition = AlertDefinition.objects.get(name="Default alert definition")
    assert definition.is_active
    assert [g.name for g in definition.monitor_groups.all()] == ["All monitors"]
    levels = list(definition.levels.order_by("number"))
    assert [lv.number for lv in levels] == [1, 2, 3]
    assert [lv.is_active for lv in levels] == [True, False, False]
    level1 = levels[0]
    assert level1.mode == "error_count" and level1.threshold == 1
    assert [g.name for g in level1.operator_groups.all()] == ["Everyone"]
    links = list(level1.integration_links.select_related("integration"))
    assert [(link.integration.kind, link.is_active) for link in links] == [("email", True)]
