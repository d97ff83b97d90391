"""The admin's *Inbound sources* page: URLs, example configs, key templates,
and the last payloads with what they became."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from alerting.inbound.formats import FORMATS
from alerting.models import ApiKey, InboundSource, Incident, Monitor
from tests.api.conftest import client_for
from tests.inbound.conftest import payload

pytestmark = pytest.mark.django_db
PAGE = "/admin/alerting/inboundsource/"


def test_page_shows_each_format_with_url_and_example(staff_client, settings):
    settings.PUBLIC_BASE_URL = "https://alerts.example.com"
    html = staff_client.get(PAGE).content.decode()
    for slug, source in FORMATS.items():
        assert f'id="inbound-{slug}"' in html
        assert f'value="https://alerts.example.com/api/v1/inbound/{slug}"' in html
        assert source.default_template in html
    # The sending tools' own settings, with the URL filled in.
    assert "webhook_configs:" in html and "type: Bearer" in html
    assert "url: https://alerts.example.com/api/v1/inbound/alertmanager" in html
    assert "authorization_scheme: Bearer" in html
    assert "Additional Headers" in html and "Uptrends integration" in html
    assert html.count("Nothing received yet.") == 4


def test_received_payloads_and_what_they_became(staff_client):
    client = client_for("ingest")
    client.post("/api/v1/inbound/alertmanager", payload("alertmanager"), format="json")
    bad = payload("uptrends")
    bad["alert"]["type"] = "Warning"
    client.post("/api/v1/inbound/uptrends", bad, format="json")
    html = staff_client.get(PAGE).content.decode()
    monitor = Monitor.objects.get(key="DiskFull/db-1:9100")
    incident = Incident.objects.get()
    assert "DiskFull/db-1:9100 · incident open · alerts: Alert" in html
    assert f"/admin/alerting/monitor/{monitor.pk}/dashboard/" in html
    assert f"/admin/alerting/incident/{incident.pk}/change/" in html
    assert "DiskFull/db-2:9100 · no alert" in html
    assert "Refused" in html and "Must be Alert, Reminder or Ok." in html
    assert "db-1: /var is 97% full" in html  # the payload itself
    assert html.count("Nothing received yet.") == 2
    key = ApiKey.objects.get(name="ingest test key")
    assert str(key) in html


def test_key_template_is_edited_and_validated(staff_client):
    response = staff_client.get("/admin/alerting/inboundsource/edit/uptime-kuma/")
    source = InboundSource.objects.get(format="uptime-kuma")
    change = f"/admin/alerting/inboundsource/{source.pk}/change/"
    assert response.status_code == 302 and response["Location"] == change
    refused = staff_client.post(change, {"monitor_key_template": "{alertname}"})
    assert refused.status_code == 200 and "Unknown placeholder {alertname}" in refused.content.decode()
    assert staff_client.post(change, {"monitor_key_template": "kuma/{name"}).status_code == 200
    assert staff_client.post(change, {"monitor_key_template": "kuma/{name}"}).status_code == 302
    source.refresh_from_db()
    assert source.monitor_key_template == "kuma/{name}"
    answer = client_for("ingest").post("/api/v1/inbound/uptime-kuma", payload("uptime-kuma"), format="json")
    assert answer.json()["monitor"] == "kuma/Shop-home-page"
    assert "kuma/{name}" in staff_client.get(PAGE).content.decode()


def test_staff_without_permission_cannot_see_payloads(django_user_model):
    user = django_user_model.objects.create_user("viewer", password="pw-for-tests-only", is_staff=True)
    viewer = Client()
    viewer.force_login(user)
    assert viewer.get(PAGE).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="view_inboundsource"))
    html = viewer.get(PAGE).content.decode()
    assert "Nothing received yet." in html and "/edit/" not in html
    assert viewer.get("/admin/alerting/inboundsource/edit/grafana/").status_code == 403
