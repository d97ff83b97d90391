"""The admin: staff only, and each staff member sees and changes only what their permissions allow."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import models
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from alerting.models import Alert, AlertDefinition, CheckResult, Incident, Monitor, Operator
from integrations.models import Integration, IntegrationStep, IntegrationVariable, Message

SECRET = "admin-visible-secret-4f3e2d1c"


@pytest.fixture
def history(db) -> Message:
    """One of everything, so every change page has an object to show."""
    now = timezone.now()
    monitor = Monitor.objects.create(key="web", name="Web")
    check = CheckResult.objects.create(monitor=monitor, status="error", timestamp=now, description="down")
    incident = Incident.objects.create(key="k1", monitor=monitor, opened_at=now, first_error=check)
    definition = AlertDefinition.objects.get(name="Default alert definition")
    alert = Alert.objects.create(
        incident=incident,
        definition=definition,
        level=definition.levels.get(number=1),
        definition_name=definition.name,
        level_number=1,
        alert_type="Alert",
        timestamp=now,
        check_result=check,
    )
    Operator.objects.create(full_name="Ada", email="ada@example.com")
    hook = Integration.objects.create(name="Hook", kind="webhook", signing_secrets=[SECRET + "-signing"])
    IntegrationVariable.objects.create(integration=hook, name="Key", is_secret=True, secret_value=SECRET)
    IntegrationStep.objects.create(
        integration=hook, url="https://example.com/hook", auth_type="bearer", auth_token=SECRET + "-token"
    )
    return Message.objects.create(alert=alert, integration=hook, next_attempt_at=now, status="failed")


def staff_client(django_user_model, *codenames: str, staff: bool = True) -> Client:
    user = django_user_model.objects.create_user("someone", "someone@example.com", "pw", is_staff=staff)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


def registered() -> list[type[models.Model]]:
    return list(admin.site._registry)


def url(model: type[models.Model], kind: str, *args: object) -> str | None:
    opts = model._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{kind}", args=args)
    except NoReverseMatch:
        return None


def change_urls() -> list[str]:
    urls = []
    for model in registered():
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            urls.append(url(model, "change", obj.pk))
    return urls


def test_anonymous_and_non_staff_are_sent_to_the_login(history, django_user_model) -> None:
    non_staff = django_user_model.objects.create_user("user", "u@example.com", "pw", is_staff=False)
    non_staff.user_permissions.set(Permission.objects.all())
    logged_in = Client()
    logged_in.force_login(non_staff)
    for client in (Client(), logged_in):
        for target in ["/admin/", *[url(m, "changelist") for m in registered()], *change_urls()]:
            response = client.get(target)
            assert response.status_code == 302, target
            assert response["Location"].startswith("/admin/login/"), target


def test_staff_without_permissions_sees_nothing(history, django_user_model) -> None:
    client = staff_client(django_user_model)
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "have permission to view or edit anything" in index.content.decode()
    for model in registered():
        for kind in ("changelist", "add"):
            target = url(model, kind)
            assert client.get(target).status_code == 403, target
    for target in change_urls():
        assert client.get(target).status_code == 403, target
    assert client.post(reverse("admin:alerting_stop_all"), {"stop_all_alerts": "on"}).status_code == 403
    assert client.post(reverse("admin:integrations_message_retry", args=[history.pk])).status_code == 403


def test_view_only_staff_can_look_but_not_change(history, django_user_model) -> None:
    view_codenames = [f"view_{m._meta.model_name}" for m in registered()]
    client = staff_client(django_user_model, *view_codenames)
    for model in registered():
        assert client.get(url(model, "changelist")).status_code == 200, model
        assert client.get(url(model, "add")).status_code == 403, model
    for target in change_urls():
        page = client.get(target)
        assert page.status_code == 200, target
        html = page.content.decode()
        assert 'name="_save"' not in html, target
        assert SECRET not in html, target
        assert client.post(target, {}).status_code == 403, target
    hook = Integration.objects.get(name="Hook")
    delete = url(Integration, "delete", hook.pk)
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Integration.objects.filter(pk=hook.pk).exists()
    assert client.post(reverse("admin:alerting_stop_all"), {"stop_all_alerts": "on"}).status_code == 403
    # Replaying a message sends it again: that is a change, not a view.
    assert client.post(reverse("admin:integrations_message_retry", args=[history.pk])).status_code == 403
    assert Message.objects.get(pk=history.pk).status == "failed"


def test_permission_for_one_model_shows_only_that_model(history, django_user_model) -> None:
    client = staff_client(django_user_model, "view_integration", "change_integration")
    index = client.get("/admin/").content.decode()
    assert reverse("admin:integrations_integration_changelist") in index
    assert reverse("admin:alerting_operator_changelist") not in index
    assert client.get(reverse("admin:alerting_operator_changelist")).status_code == 403
    assert client.get(reverse("admin:integrations_integration_changelist")).status_code == 200
    assert client.get(url(Integration, "change", history.integration_id)).status_code == 200
