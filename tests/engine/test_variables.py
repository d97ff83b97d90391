from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from alerting import variables
from alerting.engine import Submission, process_submission
from integrations.catalogue import variable_names
from tests.engine import factories as f
from tests.engine.timeline import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quiet_default():
    f.silence_default_definition()


def test_duration_format():
    assert variables.duration(dt.timedelta(hours=48, minutes=3, seconds=21)) == "48:03:21"
    assert variables.duration(dt.timedelta(seconds=59)) == "0:00:59"
    assert variables.duration(dt.timedelta(seconds=-5)) == "0:00:00"


def test_formatted_times():
    moment = dt.datetime(2020, 8, 28, 22, 23, 5, tzinfo=dt.UTC)
    assert variables.formatted(moment, dt.UTC) == "8/28/2020 10:23 PM"
    assert variables.formatted(moment.replace(hour=0), dt.UTC) == "8/28/2020 12:23 AM"
    assert variables.formatted(moment.replace(hour=12), dt.UTC) == "8/28/2020 12:23 PM"
    assert variables.iso(moment, dt.UTC) == "2020-08-28T22:23:05"


@override_settings(
    TIME_ZONE="America/New_York", PUBLIC_BASE_URL="https://alerts.example.com", ACCOUNT_ID="299840"
)
def test_snapshot_has_every_catalogue_variable_with_its_value():
    f.definition(
        "Ops",
        [{"threshold": 1, "message": "Use checklist THX-1138."}],
        groups=[f.all_monitors()],
    )
    f.monitor(
        "dns",
        name="GalacticResorts.com - DNS",
        url="https://galacticresorts.com",
        monitor_type="DNS",
        notes="Check Route53",
        custom_fields={"ComponentId": "7149488f"},
    )
    check = {
        "checkpoint": "Ghent, Belgium",
        "error_type_id": "5407",
        "failure_message": "Login failed",
        "resolved_ip": "178.217.84.4",
        "server_ipv4": "178.217.84.4",
        "server_ipv6": "2a02:2658:103e:4:461:81bb:adbe:82a5",
        "response_headers": '"Content-Type": "text/html"',
        "response_body": '{"Status": "error"}',
        "ssl_valid_until": "2024-11-07T15:05:43",
    }
    first = process_submission(
        Submission("dns", "error", at(0), "Step 1 failed", check=dict(check)), now=at(0)
    )
    alert = first.alerts[0]
    values = alert.variables
    # The acknowledge link is signed per message at delivery, not kept with the alert.
    per_message = {"@incident.acknowledgeUrl"}
    assert set(values) == (set(variable_names()) - per_message) | {"@CustomField(ComponentId)"}
    assert values["@incident.acknowledgedBy"] == values["@incident.acknowledgementNote"] == ""
    assert all(isinstance(v, str) for v in values.values())
    incident = first.incident
    expected = {
        "@account.accountId": "299840",
        "@alert.alertGuid": str(alert.guid),
        "@alert.checkpointName": "Ghent, Belgium",
        "@alert.description": "Step 1 failed",
        "@alert.downtimeDuration": "",
        "@alert.errorTypeId": "5407",
        "@alert.failureMessage": "Login failed",
        "@alert.firstError": "2026-01-05T04:00:00",
        "@alert.firstErrorFormatted": "1/5/2026 4:00 AM",
        "@alert.firstErrorUtc": "2026-01-05T09:00:00",
        "@alert.firstErrorUtcFormatted": "1/5/2026 9:00 AM",
        "@alert.firstErrorCheckId": str(first.check_result.pk),
        "@alert.firstErrorCheckUrl": (
            f"https://alerts.example.com/admin/alerting/checkresult/{first.check_result.pk}/change/"
        ),
        "@alert.firstErrorDescription": "Step 1 failed",
        "@alert.numberOfConsecutiveErrors": "1",
        "@alert.resolvedIpAddress": "178.217.84.4",
        "@alert.responseHeaders": '"Content-Type": "text/html"',
        "@alert.responseBody": '{"Status": "error"}',
        "@alert.serverIpv4": "178.217.84.4",
        "@alert.serverIpv6": "2a02:2658:103e:4:461:81bb:adbe:82a5",
        "@alert.sslValidUntil": "2024-11-07T15:05:43",
        "@alert.timestamp": "2026-01-05T04:00:00",
        "@alert.timestampFormatted": "1/5/2026 4:00 AM",
        "@alert.timestampUtc": "2026-01-05T09:00:00",
        "@alert.timestampUtcFormatted": "1/5/2026 9:00 AM",
        "@alert.type": "Alert",
        "@alertDefinition.guid": str(alert.definition_id),
        "@alertDefinition.name": "Ops",
        "@escalationLevel.id": "1",
        "@escalationLevel.message": "Use checklist THX-1138.",
        "@incident.key": incident.key,
        "@incident.acknowledgedBy": "",
        "@incident.acknowledgementNote": "",
        "@monitor.dashboardUrl": f"https://alerts.example.com/admin/alerting/monitor/{incident.monitor_id}/dashboard/",
        "@monitor.editUrl": f"https://alerts.example.com/admin/alerting/monitor/{incident.monitor_id}/change/",
        "@monitor.monitorGuid": str(incident.monitor_id),
        "@monitor.name": "GalacticResorts.com - DNS",
        "@monitor.notes": "Check Route53",
        "@monitor.type": "DNS",
        "@monitor.url": "https://galacticresorts.com",
        "@CustomField(ComponentId)": "7149488f",
    }
    assert values == expected

    second = process_submission(
        Submission("dns", "error", at(1), "Step 2 failed", check={"check_id": "30833627687"}), now=at(1)
    )
    assert second.alerts == []
    later = at(48 * 60 + 3 + 21 / 60)
    done = process_submission(
        Submission("dns", "ok", later, check={"ssl_valid_until": "2025-11-07T00:00:00"}), now=later
    )
    ok_values = done.alerts[0].variables
    assert ok_values["@alert.type"] == "Ok"
    assert ok_values["@alert.downtimeDuration"] == "48:03:21"
    assert ok_values["@alert.description"] == "Step 2 failed"
    assert ok_values["@alert.firstErrorDescription"] == "Step 1 failed"
    assert ok_values["@alert.numberOfConsecutiveErrors"] == "2"
    assert ok_values["@alert.sslValidUntil"] == "2025-11-07T00:00:00"
    assert ok_values["@alert.timestampUtc"] == "2026-01-07T09:03:21"
    assert ok_values["@incident.key"] == incident.key
    assert ok_values["@alert.alertGuid"] != str(alert.guid)


def test_submitted_check_id_and_url_feed_the_first_error_variables():
    f.definition("Ops", [{"threshold": 1}], groups=[f.all_monitors()])
    outcome = process_submission(
        Submission(
            "web",
            "error",
            at(0),
            "down",
            check={"check_id": "123", "check_url": "https://tool.example/c/123"},
        ),
        now=at(0),
    )
    values = outcome.alerts[0].variables
    assert values["@alert.firstErrorCheckId"] == "123"
    assert values["@alert.firstErrorCheckUrl"] == "https://tool.example/c/123"
