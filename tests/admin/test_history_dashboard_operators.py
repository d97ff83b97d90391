"""Dashboard, Stop all switch, alert Messages view and retry, level integrations
on the definition page, and the operator test buttons."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pytest_httpserver import HTTPServer

from alerting.models import AccountSettings, Alert, AlertDefinition, Incident, Monitor, Operator
from integrations.delivery import heartbeat
from integrations.models import (
    Integration,
    IntegrationKind,
    IntegrationStep,
    IntegrationVariable,
    LevelIntegration,
    Message,
    MessageAttempt,
    VariableMode,
)


def receiver_url(server: HTTPServer, path: str) -> str:
    # By address: outbound calls are pinned to one resolved address (127.0.0.1 is allowlisted).
    return f"http://127.0.0.1:{server.port}{path}"


def history(status: str = "failed") -> Message:
    monitor = Monitor.objects.create(key="shop", name="Shop")
    now = timezone.now()
    incident = Incident.objects.create(key="inc-1", monitor=monitor, opened_at=now - timedelta(minutes=5))
    alert = Alert.objects.create(
        incident=incident, definition_name="Shop", level_number=1, alert_type="Alert", timestamp=now
    )
    hook = Integration.objects.create(name="Hook", kind=IntegrationKind.WEBHOOK)
    IntegrationStep.objects.create(integration=hook, url="https://hooks.example.com/in")
    message = Message.objects.create(
        alert=alert,
        integration=hook,
        status=status,
        next_attempt_at=now,
        attempt_count=1,
        error="HTTP 503: receiver is down" if status == "failed" else "",
    )
    MessageAttempt.objects.create(
        message=message,
        number=1,
        started_at=now,
        request={"method": "POST", "url": "https://hooks.example.com/in", "headers": {}, "body": "{}"},
        response_status=503 if status == "failed" else 200,
        response_body="receiver is down" if status == "failed" else "ok",
        outcome=status,
    )
    return message


def test_dashboard_shows_open_incidents_failures_and_queue(staff_client) -> None:
    message = history("failed")
    Message.objects.create(
        alert=message.alert,
        integration=message.integration,
        next_attempt_at=timezone.now() - timedelta(minutes=3),
    )
    heartbeat.record(timezone.now() - timedelta(seconds=7))
    html = staff_client.get("/admin/").content.decode()
    assert 'id="dash-open-incidents"' in html and "Shop" in html
    assert 'id="dash-delivery-problems"' in html and "HTTP 503: receiver is down" in html
    assert "3 min overdue" in html
    assert "running" in html
    heartbeat.forget()
    assert "no worker running" in staff_client.get("/admin/").content.decode()


def test_stop_all_switch_and_banner(staff_client) -> None:
    # Switching on asks first (tests/admin/test_delivery_problems.py has the page itself).
    response = staff_client.post(reverse("admin:alerting_stop_all"), {"stop_all_alerts": "on"})
    assert response.status_code == 200 and not AccountSettings.load().stop_all_alerts
    response = staff_client.post(reverse("admin:alerting_stop_all"), {"stop_all_alerts": "on", "post": "yes"})
    assert response.status_code == 302
    row = AccountSettings.load()
    assert row.stop_all_alerts and row.changed_by == "admin"
    for url in ("/admin/", reverse("admin:alerting_operator_changelist")):
        assert "Stop all alerts is ON" in staff_client.get(url).content.decode()
    staff_client.post(reverse("admin:alerting_stop_all"), {"stop_all_alerts": "off"})
    assert not AccountSettings.load().stop_all_alerts
    assert "Stop all alerts is ON" not in staff_client.get("/admin/").content.decode()
    assert staff_client.get(reverse("admin:alerting_stop_all")).status_code == 405


def test_alert_messages_view_shows_attempts_in_colour(staff_client) -> None:
    failed = history("failed")
    html = staff_client.get(reverse("admin:alerting_alert_change", args=[failed.alert_id])).content.decode()
    assert "message-card message-failed" in html
    assert "HTTP 503" in html and "receiver is down" in html
    assert "retry-button" in html
    Message.objects.filter(pk=failed.pk).update(status="delivered")
    html = staff_client.get(reverse("admin:alerting_alert_change", args=[failed.alert_id])).content.decode()
    assert "message-card message-delivered" in html
    assert "retry-button" not in html


def test_alert_list_filters_by_delivery_monitor_and_type(staff_client) -> None:
    history("failed")
    url = reverse("admin:alerting_alert_changelist")
    for query in ("delivery=failed", "alert_type__exact=Alert", "incident=open", "delivery=delivered"):
        assert staff_client.get(f"{url}?{query}").status_code == 200
    assert "1 failed" in staff_client.get(f"{url}?delivery=failed").content.decode()
    assert "0 alerts" in staff_client.get(f"{url}?delivery=delivered").content.decode()


def test_retry_view_and_action_queue_the_message_again(staff_client) -> None:
    message = history("failed")
    target = reverse("admin:alerting_alert_change", args=[message.alert_id])
    response = staff_client.post(
        reverse("admin:integrations_message_retry", args=[message.pk]), {"next": target}
    )
    assert response.status_code == 302 and response["Location"] == target
    message.refresh_from_db()
    assert message.status == "pending"
    assert message.attempts_before_replay == 1
    Message.objects.filter(pk=message.pk).update(status="failed")
    response = staff_client.post(
        reverse("admin:integrations_message_changelist"),
        {"action": "retry_selected", "_selected_action": [str(message.pk)]},
    )
    assert response.status_code == 302
    assert Message.objects.get(pk=message.pk).status == "pending"
    # An outside "next" is not followed.
    response = staff_client.post(
        reverse("admin:integrations_message_retry", args=[message.pk]), {"next": "https://evil.example.com/"}
    )
    assert response["Location"] == reverse("admin:integrations_message_change", args=[message.pk])


def test_level_integrations_are_edited_on_the_definition_page(staff_client) -> None:
    hook = Integration.objects.create(name="Hook", kind=IntegrationKind.WEBHOOK)
    IntegrationVariable.objects.create(integration=hook, name="Team", mode=VariableMode.PER_LEVEL)
    definition = AlertDefinition.create_with_default_levels(name="Shop")
    url = reverse("admin:alerting_alertdefinition_change", args=[definition.pk])
    page = staff_client.get(url)
    assert 'name="levels-0-links-0-integration"' in page.content.decode()

    levels = list(definition.levels.order_by("number"))
    data = {"name": "Shop", "is_active": "on", "levels-TOTAL_FORMS": "3", "levels-INITIAL_FORMS": "3"}
    for i, level in enumerate(levels):
        data.update(
            {
                f"levels-{i}-id": str(level.pk),
                f"levels-{i}-definition": str(definition.pk),
                f"levels-{i}-number": str(level.number),
                f"levels-{i}-mode": "error_count",
                f"levels-{i}-threshold": str(level.threshold),
                f"levels-{i}-number_of_reminders": "0",
                f"levels-{i}-reminder_delay_minutes": "60",
                f"levels-{i}-links-TOTAL_FORMS": "1",
                f"levels-{i}-links-INITIAL_FORMS": "0",
                f"levels-{i}-links-0-is_active": "on",
                f"levels-{i}-links-0-send_ok_alerts": "on",
                f"levels-{i}-links-0-send_reminders": "on",
            }
        )
    data["levels-0-is_active"] = "on"
    data["levels-0-links-0-integration"] = str(hook.pk)
    data["levels-0-links-0-variable_values"] = "Tema = ops"
    page = staff_client.post(url, data)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tema is not a per-level variable of Hook (those are Team)." in html
    assert "Check the integrations of level 1." in html

    data["levels-0-links-0-variable_values"] = "Team = ops"
    data["levels-0-links-0-extra_email_addresses"] = "a@example.com, b@example.com"
    data["levels-0-links-0-statushub_service_links"] = "shop = Checkout"
    response = staff_client.post(url, data)
    assert response.status_code == 302
    link = LevelIntegration.objects.get(level=levels[0])
    assert link.variable_values == {"Team": "ops"}
    assert link.extra_email_addresses == ["a@example.com", "b@example.com"]
    assert link.statushub_service_links == [{"monitor": "shop", "service": "Checkout"}]
    assert not LevelIntegration.objects.filter(level__in=levels[1:]).exists()

    # Removing it from the same page.
    data.update(
        {
            "levels-0-links-TOTAL_FORMS": "2",
            "levels-0-links-INITIAL_FORMS": "1",
            "levels-0-links-0-id": str(link.pk),
            "levels-0-links-0-level": str(levels[0].pk),
            "levels-0-links-0-DELETE": "on",
            # The blank row as the browser posts it.
            "levels-0-links-1-is_active": "on",
            "levels-0-links-1-send_ok_alerts": "on",
            "levels-0-links-1-send_reminders": "on",
        }
    )
    assert staff_client.post(url, data).status_code == 302
    assert not LevelIntegration.objects.filter(level__definition=definition).exists()


def test_bad_extra_email_is_an_error_at_the_field(staff_client) -> None:
    email = Integration.objects.get(kind="email", is_builtin=True)
    definition = AlertDefinition.create_with_default_levels(name="Mail")
    level = definition.levels.get(number=1)
    url = reverse("admin:alerting_alertdefinition_change", args=[definition.pk])
    data = {
        "name": "Mail",
        "is_active": "on",
        "levels-TOTAL_FORMS": "1",
        "levels-INITIAL_FORMS": "1",
        "levels-0-id": str(level.pk),
        "levels-0-definition": str(definition.pk),
        "levels-0-number": "1",
        "levels-0-is_active": "on",
        "levels-0-mode": "error_count",
        "levels-0-threshold": "1",
        "levels-0-number_of_reminders": "0",
        "levels-0-reminder_delay_minutes": "60",
        "levels-0-links-TOTAL_FORMS": "1",
        "levels-0-links-INITIAL_FORMS": "0",
        "levels-0-links-0-integration": str(email.pk),
        "levels-0-links-0-extra_email_addresses": "not-an-address",
    }
    # The other two default levels are left out of the post: they stay as they are.
    data["levels-TOTAL_FORMS"] = "1"
    page = staff_client.post(url, data)
    assert page.status_code == 200
    assert "&#x27;not-an-address&#x27; is not a valid e-mail address." in page.content.decode()


def test_operator_test_email_and_sms(staff_client, settings) -> None:
    ada = Operator.objects.create(full_name="Ada", email="ada@example.com")
    response = staff_client.post(reverse("admin:alerting_operator_test_email", args=[ada.pk]))
    assert response.status_code == 302
    [sent] = mail.outbox
    assert sent.to == ["ada@example.com"]
    assert "GalacticResorts.com - DNS" in sent.subject
    page = staff_client.get(response["Location"]).content.decode()
    assert "Test e-mail sent to ada@example.com" in page
    assert "Send test SMS" in page

    # No mobile number: a clear message, nothing sent.
    response = staff_client.post(reverse("admin:alerting_operator_test_sms", args=[ada.pk]), follow=True)
    assert "Ada has no mobile phone number" in response.content.decode()


def test_operator_test_sms_goes_through_the_sms_integration(staff_client, settings, httpserver) -> None:
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    httpserver.expect_request("/2010-04-01/Accounts/AC123/Messages.json", method="POST").respond_with_json(
        {"sid": "SM1", "status": "queued"}, status=201
    )
    sms = Integration.objects.get(kind="sms", is_builtin=True)
    values = {
        "TwilioAccountSid": "AC123",
        "FromNumber": "+15005550006",
        "TwilioApiBaseUrl": receiver_url(httpserver, "/2010-04-01"),
    }
    for name, value in values.items():
        IntegrationVariable.objects.update_or_create(integration=sms, name=name, defaults={"value": value})
    IntegrationVariable.objects.update_or_create(
        integration=sms,
        name="TwilioAuthToken",
        defaults={"is_secret": True, "secret_value": "twilio-token-1"},
    )
    ada = Operator.objects.create(full_name="Ada", email="ada@example.com", mobile_phone="+31612345678")
    response = staff_client.post(reverse("admin:alerting_operator_test_sms", args=[ada.pk]), follow=True)
    html = response.content.decode()
    assert "Test SMS sent to +31612345678" in html and "answer: 201" in html
    request, _ = httpserver.log[0]
    assert request.form["To"] == "+31612345678"
    assert request.form["From"] == "+15005550006"
    assert "GalacticResorts.com - DNS" in request.form["Body"]
