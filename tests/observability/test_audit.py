"""The audit log: each change channel records who, when, through what, which
object and a field-level diff, and no secret ever appears in it."""

from __future__ import annotations

import getpass
import io
import json

import pytest
import yaml
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from alerting.ack_links import make_token
from alerting.models import AccountSettings, ApiKey, AuditAction, AuditEntry, Incident, Monitor
from integrations.models import Integration
from tests.config import configdata
from tests.config.conftest import Api

SECRET_TOKEN = "audit-token-secret-58c1d2"
NEW_SECRET = "audit-new-secret-77e0f3"


@pytest.fixture
def keys(db) -> dict[str, str]:
    return {
        scope: ApiKey.generate(f"{scope} key", scope)[1] for scope in ("ingest", "read", "respond", "admin")
    }


@pytest.fixture
def api(keys) -> Api:
    return Api(keys["admin"])


def all_entries_text() -> str:
    return json.dumps(list(AuditEntry.objects.values()), default=str)


def assert_no_secret(*texts: str, extra: tuple[str, ...] = ()) -> None:
    secrets = (*configdata.SECRETS, SECRET_TOKEN, NEW_SECRET, *extra)
    for text in (all_entries_text(), *texts):
        for secret in secrets:
            assert secret not in text


def test_api_changes_are_recorded_as_the_key_with_secrets_masked(api, keys) -> None:
    configdata.build(api)
    entries = AuditEntry.objects.filter(channel="api")
    assert entries.exists()
    assert set(entries.values_list("actor", flat=True)) == {"API key admin key"}
    types = set(entries.values_list("object_type", flat=True))
    assert {
        "alerting.operator",
        "alerting.offdutyschedule",
        "alerting.operatorgroup",
        "alerting.monitor",
        "alerting.monitorgroup",
        "alerting.maintenanceperiod",
        "alerting.alertdefinition",
        "alerting.escalationlevel",
        "integrations.integration",
        "integrations.levelintegration",
        "integrations.integrationvariable",
        "integrations.integrationstep",
        "integrations.statushubservice",
    } <= types
    hook = Integration.objects.get(name="Hook")
    created = AuditEntry.objects.get(object_type="integrations.integration", object_id=str(hook.pk))
    assert created.action == AuditAction.CREATE
    assert created.changes["name"] == {"from": None, "to": "Hook"}
    assert created.changes["signing_secrets"] == {"from": None, "to": "********"}
    token = hook.variables.get(name="Token")
    variable = AuditEntry.objects.get(object_type="integrations.integrationvariable", object_id=str(token.pk))
    assert variable.changes["secret_value"]["to"] == "********"
    # Many-to-many edits name the ids added.
    members = AuditEntry.objects.filter(object_type="alerting.operatorgroup", changes__has_key="members")
    assert members.exists()

    # A change: the field's old and new values, tied to the request's id.
    monitor = Monitor.objects.get(key="shop/home")
    answer = api.patch(f"monitors/{monitor.pk}", {"name": "Shop front"})
    assert answer.status_code == 200
    change = AuditEntry.objects.filter(object_id=str(monitor.pk), action=AuditAction.UPDATE).get()
    assert change.changes == {"name": {"from": "Shop", "to": "Shop front"}}
    assert change.request_id == answer["X-Request-ID"]
    assert change.object_repr and change.at is not None

    # A secret replaced: masked on both sides, but marked as changed.
    body = api.get(f"integrations/{hook.pk}").json()
    for item in body["variables"]:
        if item["name"] == "Token":
            item["secret_value"] = NEW_SECRET
    assert api.patch(f"integrations/{hook.pk}", {"variables": body["variables"]}).status_code == 200
    replaced = AuditEntry.objects.filter(
        object_type="integrations.integrationvariable", action="create"
    ).last()
    assert replaced is not None
    # Deleting records the values the object had.
    assert api.delete(f"monitors/{monitor.pk}").status_code == 204
    deleted = AuditEntry.objects.get(
        object_type="alerting.monitor", object_id=str(monitor.pk), action=AuditAction.DELETE
    )
    assert deleted.changes["name"] == {"from": "Shop front", "to": None}
    assert_no_secret(*api.bodies)


def test_an_unchanged_save_records_nothing_and_runtime_writes_are_not_changes(api) -> None:
    assert api.post("monitors", {"key": "quiet", "name": "Quiet"}).status_code == 201
    monitor = Monitor.objects.get(key="quiet")
    before = AuditEntry.objects.count()
    assert api.patch(f"monitors/{monitor.pk}", {"name": "Quiet"}).status_code == 200
    # Submissions update the monitor's last check (not configuration): no entry.
    assert api.post("alerts", {"monitor": "quiet", "status": "ok"}).status_code == 202
    # Code outside any channel (the engine, the worker) records nothing.
    Monitor.objects.create(key="engine-made", name="Engine")
    assert AuditEntry.objects.count() == before
    # Monitor data in a submission that changes the monitor is a change by that key.
    assert api.post("alerts", {"monitor": "quiet", "status": "ok", "monitor_name": "Loud"}).status_code == 202
    renamed = AuditEntry.objects.get(object_id=str(monitor.pk), action=AuditAction.UPDATE)
    assert (renamed.actor, renamed.channel) == ("API key admin key", "api")
    assert renamed.changes == {"name": {"from": "Quiet", "to": "Loud"}}


def test_audit_api_needs_the_admin_scope_and_filters(api, keys) -> None:
    assert api.post("monitors", {"key": "a", "name": "A"}).status_code == 201
    assert api.post("monitors", {"key": "b", "name": "B"}).status_code == 201
    a = Monitor.objects.get(key="a")
    for scope in ("read", "respond", "ingest"):
        assert Api(keys[scope]).get("audit").status_code == 403
    assert Client().get("/api/v1/audit").status_code == 401
    everything = api.get("audit").json()
    assert everything["count"] >= 2
    first = everything["results"][0]
    assert set(first) >= {
        "at",
        "actor",
        "channel",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "changes",
    }
    by_object = api.get(f"audit?object_type=alerting.monitor&object_id={a.pk}").json()
    assert by_object["count"] == 1 and by_object["results"][0]["object_repr"].startswith("A")
    assert api.get("audit?actor=API key admin key&action=create").json()["count"] >= 2
    assert api.get("audit?actor=nobody").json()["count"] == 0
    assert api.get("audit?channel=admin").json()["count"] == 0
    assert api.get("audit?since=2000-01-01T00:00:00Z&until=2999-01-01T00:00:00Z").json()["count"] >= 2
    assert api.get("audit?until=2000-01-01T00:00:00Z").json()["count"] == 0
    bad = api.get("audit?since=yesterday")
    assert bad.status_code == 400 and "since" in bad.json()["errors"]
    assert api.get("audit?action=explode").status_code == 400


def test_admin_changes_stop_all_and_the_admin_view(staff_client) -> None:
    monitor = Monitor.objects.create(key="adm", name="Admin monitor")
    url = reverse("admin:alerting_monitor_change", args=[monitor.pk])
    page = staff_client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, False)}
    data.update({"name": "Renamed in admin", "custom_fields": "{}"})
    for formset in page.context["inline_admin_formsets"]:
        fs = formset.formset
        data.update({f"{fs.prefix}-{k}": v for k, v in fs.management_form.initial.items()})
    answer = staff_client.post(url, data)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    entry = AuditEntry.objects.get(object_id=str(monitor.pk))
    assert (entry.actor, entry.channel, entry.action) == ("admin", "admin", AuditAction.UPDATE)
    assert entry.changes["name"] == {"from": "Admin monitor", "to": "Renamed in admin"}

    stop = staff_client.post(reverse("admin:alerting_stop_all"), {"stop_all_alerts": "on", "post": "yes"})
    assert stop.status_code == 302 and AccountSettings.load().stop_all_alerts
    switched = AuditEntry.objects.get(object_type="alerting.accountsettings", action=AuditAction.UPDATE)
    assert (switched.actor, switched.channel) == ("admin", "admin")
    assert switched.changes["stop_all_alerts"] == {"from": False, "to": True}
    assert switched.changes["changed_by"] == {"from": "", "to": "admin"}

    changelist = reverse("admin:alerting_auditentry_changelist")
    listing = staff_client.get(changelist)
    assert listing.status_code == 200 and "Renamed in admin" in listing.content.decode()
    filtered = staff_client.get(
        changelist,
        {
            "object_type": "alerting.monitor",
            "actor": "admin",
            "channel": "admin",
            "at__gte": "2000-01-01 00:00:00+00:00",
        },
    )
    assert filtered.status_code == 200
    assert [e.pk for e in filtered.context["cl"].result_list] == [entry.pk]
    by_object = staff_client.get(changelist, {"object_id": str(monitor.pk)})
    assert [e.pk for e in by_object.context["cl"].result_list] == [entry.pk]
    searched = staff_client.get(changelist, {"q": "Renamed"})
    assert [e.pk for e in searched.context["cl"].result_list] == [entry.pk]
    detail = staff_client.get(reverse("admin:alerting_auditentry_change", args=[entry.pk]))
    assert detail.status_code == 200 and "Renamed in admin" in detail.content.decode()
    # Read-only: nobody edits or deletes the log.
    assert (
        staff_client.post(
            reverse("admin:alerting_auditentry_delete", args=[entry.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_acknowledgements_through_api_admin_and_link(api, keys, staff_client) -> None:
    assert (
        api.post("alerts", {"monitor": "acked", "status": "error", "description": "down"}).status_code == 202
    )
    incident = Incident.objects.get()
    responder = Api(keys["respond"])
    answer = responder.post(f"incidents/{incident.key}/acknowledge", {"by": "Dana", "note": "on it"})
    assert answer.status_code == 200
    acked = AuditEntry.objects.get(object_type="alerting.incident", summary="acknowledged")
    assert (acked.actor, acked.channel) == ("API key respond key", "api")
    assert acked.changes["acknowledged_by"] == {"from": "", "to": "Dana"}
    assert acked.object_id == str(incident.pk)
    assert responder.post(f"incidents/{incident.key}/unacknowledge", {}).status_code == 200
    assert AuditEntry.objects.filter(object_type="alerting.incident", summary="unacknowledged").count() == 1

    # The signed link: the recipient it was made for.
    link = Client().post(f"/ack/{make_token(incident.key, 'Ann Ops')}", {"note": "looking"})
    assert link.status_code == 200
    by_link = AuditEntry.objects.filter(object_type="alerting.incident", summary="acknowledged").first()
    assert by_link is not None and (by_link.actor, by_link.channel) == ("Ann Ops", "acknowledge link")

    # The admin's Unacknowledge button.
    url = reverse("admin:alerting_incident_unacknowledge", args=[incident.pk])
    assert staff_client.post(url).status_code == 302
    admin_entries = AuditEntry.objects.filter(object_type="alerting.incident", channel="admin")
    assert admin_entries.exists() and admin_entries.get().actor == "admin"


def test_commands_create_revoke_apply_and_rotate(api, tmp_path, settings) -> None:
    configdata.build(api)
    who = getpass.getuser()

    # API keys: the key's name and scope, never the key or its hash.
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "create_api_key", "deploy-bot", "--scope", "admin", "--rate-limit", "50", stdout=out, stderr=err
    )
    raw = out.getvalue().strip()
    made = ApiKey.objects.get(name="deploy-bot")
    created = AuditEntry.objects.get(object_type="alerting.apikey", object_id=str(made.pk), action="create")
    assert (created.actor, created.channel) == (who, "command create_api_key")
    assert created.changes["scope"]["to"] == "admin" and "key_hash" not in created.changes
    call_command("revoke_api_key", "deploy-bot", stdout=io.StringIO())
    revoked = AuditEntry.objects.get(object_id=str(made.pk), action="update", changes__has_key="revoked_at")
    assert revoked.channel == "command revoke_api_key" and revoked.changes["revoked_at"]["from"] is None

    # apply_config: a file with secrets; a dry run leaves no entry.
    path = tmp_path / "config.yaml"
    call_command("export_config", "--include-secrets", "--output", str(path), stderr=io.StringIO())
    document = yaml.safe_load(path.read_text())
    for integration in document["integrations"]:
        if integration["name"] == "Hook":
            integration["description"] = "changed by file"
            for variable in integration.get("variables", []):
                if variable["name"] == "Token":
                    variable["secret_value"] = SECRET_TOKEN
    path.write_text(yaml.safe_dump(document))
    before = AuditEntry.objects.count()
    call_command("apply_config", str(path), "--dry-run", stdout=io.StringIO())
    assert AuditEntry.objects.count() == before
    call_command("apply_config", str(path), stdout=io.StringIO())
    applied = AuditEntry.objects.filter(channel="command apply_config")
    assert applied.exists() and set(applied.values_list("actor", flat=True)) == {who}
    hook = Integration.objects.get(name="Hook")
    described = applied.get(object_type="integrations.integration", object_id=str(hook.pk))
    assert described.changes["description"]["to"] == "changed by file"
    secret_change = applied.filter(object_type="integrations.integrationvariable")
    assert secret_change.exists()
    assert all(
        change.get("to") in ("********", "", None) or name != "secret_value"
        for entry in secret_change
        for name, change in entry.changes.items()
    )

    # Key rotation: one entry per model with re-encrypted values, counts only.
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.FIELD_ENCRYPTION_KEYS]
    call_command("rotate_encryption_keys", stdout=io.StringIO())
    rotated = AuditEntry.objects.filter(channel="command rotate_encryption_keys")
    assert rotated.exists()
    assert any("re-encrypted" in e.summary for e in rotated)
    assert all(e.action == AuditAction.ACTION and e.actor == who for e in rotated)
    assert_no_secret(*api.bodies, extra=(raw, made.key_hash))


def test_ping_url_rotation_and_revoking_keys_in_the_admin(api, staff_client) -> None:
    assert api.post("monitors", {"key": "pinged", "name": "Pinged"}).status_code == 201
    monitor = Monitor.objects.get(key="pinged")
    old_url = api.get(f"monitors/{monitor.pk}").json()["ping_url"]
    assert not AuditEntry.objects.filter(object_type="alerting.pingtoken").exists()  # made on first use
    rotated = api.post(f"monitors/{monitor.pk}/rotate-ping-url", {})
    assert rotated.status_code == 200
    entry = AuditEntry.objects.get(object_type="alerting.pingtoken")
    assert entry.changes["token"] == {"from": "********", "to": "********", "changed": True}
    new_url = api.get(f"monitors/{monitor.pk}").json()["ping_url"]
    # The admin's "Revoke selected keys" action is an update(): recorded per key.
    key, raw = ApiKey.generate("old-checker", "ingest")
    answer = staff_client.post(
        reverse("admin:alerting_apikey_changelist"), {"action": "revoke", "_selected_action": [key.pk]}
    )
    assert answer.status_code == 302
    revoked = AuditEntry.objects.get(object_type="alerting.apikey", object_id=str(key.pk))
    assert (revoked.actor, revoked.channel, revoked.action) == ("admin", "admin", AuditAction.UPDATE)
    assert list(revoked.changes) == ["revoked_at"]
    tokens = [url.rsplit("/", 1)[1] for url in (old_url, new_url)]
    assert_no_secret(extra=(*tokens, raw, key.key_hash))
