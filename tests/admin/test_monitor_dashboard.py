"""The monitor dashboard that ``{{@monitor.dashboardUrl}}`` links to: reached
by following the link an alert carries, it shows the state, the open incident
and its escalation, the last 50 check results, recent alerts with their
messages, and coverage with its reasons."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from alerting.engine import Submission, process_submission
from alerting.models import (
    AlertDefinition,
    CheckResult,
    EscalationLevel,
    EscalationState,
    MaintenancePeriod,
    Monitor,
    MonitorGroup,
)
from integrations.models import Integration, IntegrationKind, IntegrationStep, LevelIntegration


def link_path(url: str) -> str:
    assert url.startswith(settings.PUBLIC_BASE_URL + "/"), url
    return url[len(settings.PUBLIC_BASE_URL) :]


def section(html: str, element_id: str) -> str:
    match = re.search(rf'<section[^>]* id="{element_id}">(.*?)</section>', html, re.S)
    assert match, f"no section {element_id}"
    return match.group(1)


def shop_with_an_open_incident() -> tuple[Monitor, list]:
    monitor = Monitor.objects.create(key="shop", name="Web shop <main>")
    group = MonitorGroup.objects.create(name="Storefront")
    group.monitors.add(monitor)
    direct = AlertDefinition.create_with_default_levels(name="Shop team")
    direct.monitors.add(monitor)
    EscalationLevel.objects.filter(definition=direct, number=1).update(
        number_of_reminders=2, reminder_delay_minutes=30
    )
    EscalationLevel.objects.filter(definition=direct, number=2).update(is_active=True, threshold=5)
    hook = Integration.objects.create(name="Shop hook", kind=IntegrationKind.WEBHOOK)
    IntegrationStep.objects.create(integration=hook, url="https://hooks.example.com/in")
    LevelIntegration.objects.create(level=direct.levels.get(number=1), integration=hook)
    via_group = AlertDefinition.create_with_default_levels(name="Storefront on-call", is_active=False)
    via_group.monitor_groups.add(group)

    now = timezone.now()
    # Older history than the page shows: only the newest 50 results appear.
    CheckResult.objects.bulk_create(
        CheckResult(monitor=monitor, status="ok", timestamp=now - dt.timedelta(hours=2, minutes=n))
        for n in range(60)
    )
    outcomes = [
        process_submission(
            Submission(
                monitor="shop", status="error", timestamp=now - dt.timedelta(minutes=3 - n), description=text
            ),
            now - dt.timedelta(minutes=3 - n),
        )
        for n, text in enumerate(["Connection refused", "HTTP 503 from <upstream>"])
    ]
    return monitor, [alert for outcome in outcomes for alert in outcome.alerts]


def test_the_link_in_an_alert_opens_the_monitor_dashboard(staff_client: Client) -> None:
    monitor, alerts = shop_with_an_open_incident()
    assert alerts, "the errors raised no alert"
    now = timezone.now()
    MaintenancePeriod.objects.create(
        monitor=monitor,
        start_datetime=now - dt.timedelta(minutes=1),
        end_datetime=now + dt.timedelta(hours=1),
        description="Database upgrade",
    )

    response = staff_client.get(link_path(alerts[0].variables["@monitor.dashboardUrl"]))

    assert response.status_code == 200
    html = response.content.decode()
    state = section(html, "monitor-state")
    assert 'data-state="error"' in state
    assert "Database upgrade" in state and "Disable notifications only" in state
    assert "Web shop &lt;main&gt;" in state  # escaped, never markup
    assert "maintenance: notifications disabled" in html

    incident = section(html, "monitor-incident")
    assert alerts[0].incident.key in incident
    fired = EscalationState.objects.get(incident=alerts[0].incident, level__definition__name="Shop team")
    next_due = timezone.localtime(fired.next_reminder_at).strftime("%Y-%m-%d %H:%M:%S")
    assert re.search(r'<tr class="level-fired"><td>Shop team</td><td>1</td>', incident)
    assert "0 of 2" in incident and next_due in incident
    assert re.search(r'<tr class="level-waiting"><td>Shop team</td><td>2</td>', incident)
    assert "5 or more errors" in incident

    coverage = section(html, "monitor-coverage")
    assert re.search(r"Shop team</a>\s*<span class=\"quiet\">directly</span>", coverage)
    assert re.search(r"Storefront on-call</a>\s*<span class=\"quiet\">via group Storefront</span>", coverage)
    assert re.search(
        r"Default alert definition</a>\s*<span class=\"quiet\">via All monitors</span>", coverage
    )
    assert "inactive" in coverage and ">covered<" in coverage

    recent = section(html, "monitor-alerts")
    assert recent.count('class="alert-row"') == len(alerts)
    assert re.search(r"Pending</span>\s*Shop hook", recent)

    checks = section(html, "monitor-checks")
    assert "Last 50 check results" in checks
    assert checks.count('<tr class="check-') == 50
    assert "HTTP 503 from &lt;upstream&gt;" in checks


def test_a_monitor_without_history_or_coverage(staff_client: Client) -> None:
    AlertDefinition.objects.all().update(is_active=False)
    monitor = Monitor.objects.create(key="idle", name="Idle", generate_alerts=False)
    html = staff_client.get(link_path(monitor.dashboard_url())).content.decode()
    assert 'data-state="unknown"' in html
    assert "None: the monitor has no unresolved error." in html
    assert "not covered" in html and "generate alerts is off for this monitor" in html
    assert "No check result yet." in html and "No alert yet." in html


def test_login_is_required_and_unknown_monitors_are_404(staff_client: Client, django_user_model) -> None:
    monitor = Monitor.objects.create(key="web", name="Web")
    path = link_path(monitor.dashboard_url())

    anonymous = Client().get(path)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/admin/login/")

    viewer = django_user_model.objects.create_user("viewer", password="pw-for-tests-only", is_staff=True)
    client = Client()
    client.force_login(viewer)
    assert client.get(path).status_code == 403
    viewer.user_permissions.add(Permission.objects.get(codename="view_monitor"))
    assert client.get(path).status_code == 200

    assert staff_client.get(f"/admin/alerting/monitor/{uuid.uuid4()}/dashboard/").status_code == 404
    assert staff_client.get("/admin/alerting/monitor/not-a-uuid/dashboard/").status_code == 404


def test_the_settings_page_links_to_the_dashboard(staff_client: Client) -> None:
    monitor = Monitor.objects.create(key="web", name="Web")
    html = staff_client.get(f"/admin/alerting/monitor/{monitor.pk}/change/").content.decode()
    assert f'href="/admin/alerting/monitor/{monitor.pk}/dashboard/"' in html
