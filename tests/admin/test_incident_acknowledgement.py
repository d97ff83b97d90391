"""The admin's acknowledge / unacknowledge: buttons, list actions, status
column and filter, the dashboard card and the monitor dashboard."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from alerting.engine import Submission, clock, process_submission
from alerting.engine.acknowledgement import acknowledge
from alerting.models import Alert, Incident
from tests.engine import factories as f
from tests.engine.timeline import at

pytestmark = pytest.mark.django_db

D = "Ops"


def error(monitor: str, minute: float) -> None:
    with clock.frozen(at(minute)):
        process_submission(Submission(monitor, "error", at(minute), "down"))


@pytest.fixture
def incident(db) -> Incident:
    f.silence_default_definition()
    f.definition(D, [{"threshold": 1}, {"threshold": 2}], groups=[f.all_monitors()])
    error("web", 0)
    return Incident.objects.get()


def page(client: Client, incident: Incident) -> str:
    return client.get(f"/admin/alerting/incident/{incident.pk}/change/").content.decode()


def test_acknowledge_button_with_note_and_snooze_then_unacknowledge(staff_client, incident):
    html = page(staff_client, incident)
    assert 'data-status="open"' in html and 'id="acknowledge-button"' in html
    assert 'id="unacknowledge-button"' not in html
    with clock.frozen(at(1)):
        answer = staff_client.post(
            f"/admin/alerting/incident/{incident.pk}/acknowledge/", {"note": "on it", "snooze": "60"}
        )
    assert answer.status_code == 302
    incident.refresh_from_db()
    assert (incident.acknowledged_by, incident.acknowledgement_note) == ("admin", "on it")
    assert (incident.acknowledged_at, incident.acknowledged_until) == (at(1), at(61))
    with clock.frozen(at(2)):
        html = page(staff_client, incident)
        assert 'data-status="acknowledged"' in html and 'id="unacknowledge-button"' in html
        assert "Acknowledged by <strong>admin</strong>" in html
        error("web", 2)  # level 2's threshold: held back
    assert list(Alert.objects.order_by("pk").values_list("alert_type", flat=True)) == [
        "Alert",
        "Acknowledged",
    ]
    with clock.frozen(at(3)):
        staff_client.post(f"/admin/alerting/incident/{incident.pk}/unacknowledge/")
    incident.refresh_from_db()
    assert incident.acknowledged_at is None
    assert list(Alert.objects.order_by("pk").values_list("alert_type", "level_number", "timestamp")) == [
        ("Alert", 1, at(0)),
        ("Acknowledged", 1, at(1)),
        ("Alert", 2, at(3)),
    ]


def test_bad_snooze_and_get_change_nothing(staff_client, incident):
    url = f"/admin/alerting/incident/{incident.pk}/acknowledge/"
    assert staff_client.get(url).status_code == 405
    answer = staff_client.post(url, {"snooze": "7"}, follow=True)
    assert "Choose a snooze from the list." in answer.content.decode()
    answer = staff_client.post(url, {"snooze": "soon"}, follow=True)
    assert "Choose a snooze from the list." in answer.content.decode()
    incident.refresh_from_db()
    assert incident.acknowledged_at is None


def test_a_resolved_incident_shows_no_buttons_and_refuses(staff_client, incident):
    with clock.frozen(at(5)):
        process_submission(Submission("web", "ok", at(5)))
    assert 'id="acknowledge-button"' not in page(staff_client, incident)
    answer = staff_client.post(f"/admin/alerting/incident/{incident.pk}/acknowledge/", follow=True)
    assert "the incident is resolved" in answer.content.decode()


def test_viewers_without_change_permission_cannot_respond(incident, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="pw-for-tests-only", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_incident"))
    client = Client()
    client.force_login(viewer)
    assert 'id="acknowledge-button"' not in page(client, incident)
    assert client.post(f"/admin/alerting/incident/{incident.pk}/acknowledge/").status_code == 403
    changelist = client.get("/admin/alerting/incident/").content.decode()
    assert "acknowledge_selected" not in changelist
    incident.refresh_from_db()
    assert incident.acknowledged_at is None


def test_list_actions_status_column_and_filter(staff_client, incident):
    error("db", 1)
    error("api", 1)
    with clock.frozen(at(2)):
        process_submission(Submission("api", "ok", at(2)))
    ids = [str(i.pk) for i in Incident.objects.all()]
    answer = staff_client.post(
        "/admin/alerting/incident/", {"action": "acknowledge_selected", "_selected_action": ids}, follow=True
    )
    assert "Acknowledged 2 incident(s); 1 resolved one(s) left as they were." in answer.content.decode()
    assert set(
        Incident.objects.filter(acknowledged_at__isnull=False).values_list("monitor__key", flat=True)
    ) == {
        "web",
        "db",
    }
    listed = staff_client.get("/admin/alerting/incident/?status=acknowledged").content.decode()
    assert listed.count('class="badge badge-wait"') == 2
    assert staff_client.get("/admin/alerting/incident/?status=open").context["cl"].result_count == 0
    assert staff_client.get("/admin/alerting/incident/?status=unresolved").context["cl"].result_count == 2
    web = Incident.objects.get(monitor__key="web")
    staff_client.post(
        "/admin/alerting/incident/", {"action": "unacknowledge_selected", "_selected_action": [str(web.pk)]}
    )
    assert staff_client.get("/admin/alerting/incident/?status=open").context["cl"].result_count == 1


def test_dashboard_card_and_monitor_dashboard_show_the_acknowledgement(staff_client, incident):
    html = staff_client.get("/admin/").content.decode()
    assert 'class="dash-card bad" id="dash-open-incidents"' in html
    acknowledge(incident.key, by="Dana", note="db failover")
    html = staff_client.get("/admin/").content.decode()
    assert 'class="dash-card warn" id="dash-open-incidents"' in html
    assert '<p class="quiet" id="dash-acknowledged-count">1 acknowledged</p>' in html
    assert 'title="by Dana">acknowledged</span>' in html
    monitor_page = staff_client.get(
        f"/admin/alerting/monitor/{incident.monitor.pk}/dashboard/"
    ).content.decode()
    assert 'id="monitor-acknowledged"' in monitor_page
    assert "by Dana" in monitor_page and "db failover" in monitor_page
