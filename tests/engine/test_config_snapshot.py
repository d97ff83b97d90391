"""The compiled configuration (alerting.config_snapshot): built once per
version, rebuilt when any configuration write bumps the version, and enough
to decide a first error without reading the configuration tables."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerting import config_snapshot
from alerting.engine import Submission, process_submission
from alerting.engine.coverage import SUPPRESSED_MAINTENANCE, Coverage
from alerting.models import (
    AccountSettings,
    AlertDefinition,
    EscalationLevel,
    MaintenancePeriod,
    Monitor,
    MonitorGroup,
    OperatorGroup,
)
from alerting.models.config import ConfigVersion, current_version
from integrations.models import Integration, IntegrationStep, LevelIntegration, Message
from tests.engine import factories as f

pytestmark = pytest.mark.django_db

CONFIG_TABLES = (
    "alerting_alertdefinition",
    "alerting_escalationlevel",
    "alerting_levelintegration",
    "alerting_monitorgroup",
    "alerting_maintenanceperiod",
    "alerting_operator",
    "alerting_offdutyschedule",
    "alerting_accountsettings",
    "integrations_integration",
    "integrations_integrationstep",
)


def _group() -> MonitorGroup:
    return MonitorGroup.objects.create(name="Shop")


WRITES = {
    "save": lambda: f.operator("Ann"),
    "queryset update": lambda: EscalationLevel.objects.filter(number=1).update(threshold=2),
    "bulk_create": lambda: OperatorGroup.objects.bulk_create([OperatorGroup(name="Night")]),
    "delete (cascading)": lambda: Integration.objects.filter(kind="email", is_builtin=True).delete(),
    "many-to-many add": lambda: _group().monitors.add(f.monitor("shop")),
    "stop all (queryset update)": lambda: AccountSettings.objects.filter(pk=1).update(stop_all_alerts=True),
    "integration step": lambda: f.webhook("hook"),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_configuration_write_bumps_the_version(write):
    AccountSettings.load()
    before = current_version()
    write()
    assert current_version() > before


def test_delivery_state_and_check_results_bump_nothing():
    hook = f.webhook("hook")
    before = current_version()
    # The breaker and the rate limiter write these on every send.
    Integration.objects.filter(pk=hook.pk).update(rate_next_at=timezone.now(), consecutive_failures=3)
    hook.paused_until = timezone.now()
    hook.save(update_fields=["paused_until"])
    process_submission(Submission("web", "error", timezone.now(), "down"))
    process_submission(Submission("web", "ok", timezone.now()))
    assert current_version() == before


def test_the_snapshot_is_reused_until_the_configuration_changes():
    first = config_snapshot.get()
    assert config_snapshot.get() is first
    EscalationLevel.objects.filter(definition__name="Default alert definition", number=1).update(threshold=4)
    second = config_snapshot.get()
    assert second is not first
    (level,) = [lv for lv in second.active_levels if lv.definition_name == "Default alert definition"]
    assert level.threshold == 4


def test_a_change_made_by_another_process_is_seen_at_the_next_use():
    """Another process writes the configuration and bumps the version; this
    process has no signal of it, only the version row."""
    config_snapshot.get()
    level = EscalationLevel.objects.get(definition__name="Default alert definition", number=1)
    table, version = connection.ops.quote_name, ConfigVersion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table(EscalationLevel._meta.db_table)} SET message = %s WHERE id = %s",
            ["written elsewhere", level.pk],
        )
        cursor.execute(f"UPDATE {table(version)} SET version = version + 1")
    assert config_snapshot.get().levels[level.pk].message == "written elsewhere"


def test_a_first_error_reads_no_configuration_table():
    f.silence_default_definition()
    hook = f.webhook("hook", ok=False, reminder=False)
    f.definition("Shop", [{"threshold": 1}], groups=[f.all_monitors()], integrations=[hook])
    process_submission(Submission("warm-up", "error", timezone.now(), "down"))  # builds the snapshot

    with CaptureQueriesContext(connection) as queries:
        outcome = process_submission(Submission("new-monitor", "error", timezone.now(), "down"))

    assert [a.alert_type for a in outcome.alerts] == ["Alert"]
    assert Message.objects.filter(alert__in=outcome.alerts, integration=hook).count() == 1
    statements = [q["sql"] for q in queries.captured_queries]
    read = [sql for sql in statements if any(f'"{t}"' in sql or f" {t} " in sql for t in CONFIG_TABLES)]
    assert read == []
    # The version, the lock (and its retry after creating the monitor), the
    # monitor, the check result, the monitor's update, the incident, the
    # escalation state, the alert, the messages.
    assert len(statements) <= 10, statements


def test_maintenance_windows_are_evaluated_at_the_moment_of_use():
    monitor = f.monitor("shop")
    MaintenancePeriod.objects.create(
        monitor=monitor, mode="daily", start_time=dt.time(10, 0), end_time=dt.time(11, 0)
    )
    snapshot = config_snapshot.get()
    day = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    inside = Coverage(day.replace(hour=10, minute=30), snapshot)
    outside = Coverage(day.replace(hour=12), snapshot)
    assert inside.suppression(monitor) == SUPPRESSED_MAINTENANCE
    assert outside.suppression(monitor) == ""


def test_a_definition_edited_through_the_api_decides_the_next_error():
    """The configuration API writes through serializers (nested levels and
    links): the next submission already sees the new level."""
    from tests.api.conftest import client_for

    admin_api_client = client_for("admin")
    f.silence_default_definition()
    hook = f.webhook("hook")
    group = MonitorGroup.objects.get(is_all_monitors=True)
    response = admin_api_client.post(
        "/api/v1/alert-definitions",
        {
            "name": "Shop",
            "monitor_groups": [str(group.pk)],
            "levels": [{"number": 1, "integrations": [{"integration": str(hook.pk)}]}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    outcome = process_submission(Submission("shop", "error", timezone.now(), "down"))
    assert [a.definition_name for a in outcome.alerts] == ["Shop"]
    assert LevelIntegration.objects.filter(level__definition__name="Shop").count() == 1
    assert IntegrationStep.objects.filter(integration=hook).exists()
    assert AlertDefinition.objects.filter(name="Shop", is_active=True).exists()
    assert Monitor.objects.filter(key="shop").exists()
