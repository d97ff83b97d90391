"""Issue 20 without a browser: the definition page as plain HTML (what a
client without JavaScript gets), coverage summaries, maintenance labels,
name/value rows and integrations that need setup."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from alerting.admin.coverage import definition_summary, monitor_coverage, monitor_summary
from alerting.admin.key_value import KeyValueField
from alerting.admin.maintenance_now import labels_now
from alerting.models import AlertDefinition, EscalationLevel, MaintenancePeriod, Monitor, MonitorGroup
from integrations.admin.setup import needing_setup
from integrations.models import Integration, IntegrationVariable
from tests.browser.tour import build_tour

pytestmark = pytest.mark.django_db


def test_definition_page_without_javascript_has_every_level_and_the_warning(admin_client) -> None:
    tour = build_tour()
    html = admin_client.get(f"/admin/alerting/alertdefinition/{tour.definition.pk}/change/").content.decode()
    # Stacked, not hidden: the tabs are the script's work.
    assert 'id="levels-0"' in html and 'id="levels-1"' in html
    assert '<div class="level-tabs" role="tablist" aria-label="Escalation levels" hidden>' in html
    warnings = html.split('<p class="level-warning" role="status"')[1:]
    # Level 1 has recipients, level 2 none (and the template for a new level, hidden itself, none yet).
    assert [w.startswith(" hidden>") for w in warnings] == [True, False, False]
    assert "Save to get another blank row." in html  # said to clients without the script
    assert "Covers <strong>1 monitor</strong>: 1 directly." in html


def test_coverage_through_a_group_and_what_sends_nothing() -> None:
    monitor = Monitor.objects.create(key="db", name="Database")
    group = MonitorGroup.objects.create(name="Databases")
    group.monitors.add(monitor)
    by_group = AlertDefinition.create_with_default_levels(name="DBA on call")
    by_group.monitor_groups.add(group)
    silent = AlertDefinition.objects.create(name="Silent")  # no level at all
    silent.monitors.add(monitor)
    AlertDefinition.create_with_default_levels(name="Switched off", is_active=False).monitors.add(monitor)

    covers = {c.name: c for c in monitor_coverage(monitor)}
    assert set(covers) == {"DBA on call", "Default alert definition", "Silent"}  # not the inactive one
    assert covers["DBA on call"].reasons == ("via group Databases",)
    assert covers["Default alert definition"].reasons == ("via All monitors",)
    assert covers["Silent"].reasons == ("directly",) and not covers["Silent"].sends
    summary = str(monitor_summary(monitor))
    assert "Silent</a> directly (no active level: sends nothing)" in summary

    text = str(definition_summary(by_group))
    assert "Covers <strong>1 monitor</strong>: 1 via group Databases." in text
    assert "Default alert definition</a> via All monitors (1 of 1)" in text
    assert "Silent</a> directly (1 of 1)" in text
    assert "Inactive" in str(definition_summary(AlertDefinition.objects.get(name="Switched off")))

    EscalationLevel.objects.update(is_active=False)
    Monitor.objects.filter(pk=monitor.pk).update(generate_alerts=False)
    monitor.refresh_from_db()
    summary = str(monitor_summary(monitor))
    assert "Generate alerts is off" in summary and "nobody is told" in summary


def test_maintenance_labels_for_monitor_group_and_all_monitors() -> None:
    now = timezone.now()
    a, b, c = (Monitor.objects.create(key=k, name=k) for k in ("a", "b", "c"))
    group = MonitorGroup.objects.create(name="G")
    group.monitors.add(b)
    window = {"mode": "one_time", "start_datetime": now - dt.timedelta(minutes=5)}
    later, over = now + dt.timedelta(hours=1), now - dt.timedelta(minutes=1)
    MaintenancePeriod.objects.create(
        monitor=a, maintenance_type="disable_monitoring", end_datetime=later, **window
    )
    MaintenancePeriod.objects.create(
        monitor_group=group,
        maintenance_type="disable_notifications",
        end_datetime=later,
        **window,
    )
    MaintenancePeriod.objects.create(  # over already
        monitor=c,
        maintenance_type="disable_notifications",
        end_datetime=over,
        **window,
    )
    label = labels_now(now)
    assert (label(a.pk), label(b.pk), label(c.pk)) == ("monitoring off", "notifications off", "")
    MaintenancePeriod.objects.create(
        monitor_group=MonitorGroup.objects.get(is_all_monitors=True),
        maintenance_type="disable_notifications",
        end_datetime=later,
        **window,
    )
    label = labels_now(now)
    assert (label(a.pk), label(c.pk)) == ("monitoring off", "notifications off")


def test_name_value_rows() -> None:
    field = KeyValueField(required=False)
    assert field.clean([("Team", " Shop "), ("", ""), ("Region", "eu")]) == {"Team": "Shop", "Region": "eu"}
    with pytest.raises(Exception, match="named twice"):
        field.clean([("Team", "a"), ("Team", "b")])
    with pytest.raises(Exception, match="has no name"):
        field.clean([("", "orphan")])
    assert not field.has_changed({"Team": "Shop"}, [("Team", "Shop"), ("", "")])


def test_sms_without_twilio_settings_needs_setup_until_filled_in() -> None:
    names = {integration.name: missing for integration, missing in needing_setup()}
    assert names["SMS"] == ["TwilioAccountSid", "TwilioAuthToken", "FromNumber"]
    sms = Integration.objects.get(name="SMS")
    for name, value in (("TwilioAccountSid", "AC123"), ("FromNumber", "+15550100")):
        IntegrationVariable.objects.filter(integration=sms, name=name).update(value=value)
    token = IntegrationVariable.objects.get(integration=sms, name="TwilioAuthToken")
    token.secret_value = "secret-token"
    token.save()
    assert "SMS" not in {integration.name for integration, _ in needing_setup()}
    Integration.objects.filter(name="Phone").update(is_active=False)
    assert "Phone" not in {integration.name for integration, _ in needing_setup()}


def test_a_new_monitor_page_says_all_monitors_definitions_will_cover_it(admin_client) -> None:
    html = admin_client.get("/admin/alerting/monitor/add/").content.decode()
    assert "Once saved:" in html
    assert ">Default alert definition</a> via All monitors" in html
