"""Moving the escalation level's integration link from alerting to
integrations (issue 19) keeps everything: the rows (the table is the same),
the outbox's foreign key to them, the content type's row with the permissions
granted on it and the admin's history, and the audit log's entries under the
model's new label."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from integrations.models import LevelIntegration

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("alerting", "0013_lead_field_names"), ("integrations", "0013_message_attempts_only")]
HALFWAY = [("integrations", "0014_levelintegration_moved_in")]
AFTER = [("alerting", "0014_levelintegration_moved_out")]
# Our migrations' states hold auth and contenttypes; the admin's log too with this.
ADMIN = ("admin", "0003_logentry_add_action_flag_choices")
NOW = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def migrate(targets):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([*targets, ADMIN]).apps


def migrate_to_head() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


def old_content_type(apps):  # type: ignore[no-untyped-def]
    """The link's content type and its change permission under the old label
    (the test database made them under the new one; going back relabels them)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label="alerting", model="levelintegration")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="change_levelintegration",
        defaults={"name": "Can change escalation level integration"},
    )
    return content_type, permission


def test_links_messages_content_type_permissions_and_history_survive_the_move() -> None:
    apps = migrate(BEFORE)
    Integration = apps.get_model("integrations", "Integration")
    Message = apps.get_model("integrations", "Message")
    Definition = apps.get_model("alerting", "AlertDefinition")
    Level = apps.get_model("alerting", "EscalationLevel")
    Link = apps.get_model("alerting", "LevelIntegration")
    AuditEntry = apps.get_model("alerting", "AuditEntry")
    LogEntry = apps.get_model("admin", "LogEntry")
    User = apps.get_model("auth", "User")

    hook = Integration.objects.create(name="Ops hook", kind="webhook")
    level = Level.objects.create(definition=Definition.objects.create(name="Shop"), number=1)
    link = Link.objects.create(
        level=level,
        integration=hook,
        send_reminders=False,
        variable_values={"Channel": "#ops"},
        extra_email_addresses=["night@example.com"],
    )
    message = Message.objects.create(
        integration=hook, level_link=link, level_variables={"Channel": "#ops"}, next_attempt_at=NOW
    )
    content_type, permission = old_content_type(apps)
    editor = User.objects.create(username="editor", is_staff=True)
    editor.user_permissions.add(permission)
    logged = LogEntry.objects.create(
        user=editor,
        content_type=content_type,
        object_id=str(link.pk),
        object_repr=str(link.pk),
        action_flag=2,
    )
    audited = AuditEntry.objects.create(
        at=NOW,
        actor="editor",
        channel="admin",
        action="update",
        object_type="alerting.levelintegration",
        object_id=str(link.pk),
    )

    try:
        apps = migrate(AFTER)
        with pytest.raises(LookupError):
            apps.get_model("alerting", "LevelIntegration")
        Link = apps.get_model("integrations", "LevelIntegration")
        moved = Link.objects.get(pk=link.pk)
        assert (moved.level_id, moved.integration_id, moved.send_reminders) == (level.pk, hook.pk, False)
        assert (moved.variable_values, moved.extra_email_addresses) == (
            {"Channel": "#ops"},
            ["night@example.com"],
        )
        kept = apps.get_model("integrations", "Message").objects.get(pk=message.pk)
        assert kept.level_link == moved
        assert kept.level_variables == {"Channel": "#ops"}

        ContentTypes = apps.get_model("contenttypes", "ContentType").objects
        assert ContentTypes.get(pk=content_type.pk).app_label == "integrations"
        assert not ContentTypes.filter(app_label="alerting", model="levelintegration").exists()
        Permission = apps.get_model("auth", "Permission")
        assert Permission.objects.get(pk=permission.pk).content_type_id == content_type.pk
        assert (
            apps.get_model("admin", "LogEntry").objects.get(pk=logged.pk).content_type_id == content_type.pk
        )
        entry = apps.get_model("alerting", "AuditEntry").objects.get(pk=audited.pk)
        assert (entry.object_type, entry.object_id) == ("integrations.levelintegration", str(link.pk))

        # With today's models: the grant made on the old label is the new label's.
        migrate_to_head()
        assert ContentType.objects.get_for_model(LevelIntegration).pk == content_type.pk
        assert get_user_model().objects.get(pk=editor.pk).has_perm("integrations.change_levelintegration")
    finally:
        migrate_to_head()


def test_a_content_type_made_halfway_is_folded_into_the_old_one() -> None:
    """A migrate that stopped after integrations' half of the move ran
    post_migrate, which made the model a second content type under its new
    label (with permissions of its own, possibly granted): the second half
    keeps the old row and carries the duplicate's grants over to it."""
    apps = migrate(BEFORE)
    content_type, permission = old_content_type(apps)
    User = apps.get_model("auth", "User")
    editor = User.objects.create(username="editor")
    editor.user_permissions.add(permission)

    try:
        apps = migrate(HALFWAY)
        ContentType = apps.get_model("contenttypes", "ContentType")
        Permission = apps.get_model("auth", "Permission")
        Group = apps.get_model("auth", "Group")
        duplicate = ContentType.objects.create(app_label="integrations", model="levelintegration")
        again = Permission.objects.create(
            content_type=duplicate, codename="change_levelintegration", name="c"
        )
        # A permission of the duplicate's own (say, a custom one) moves over as it is.
        only_new = Permission.objects.create(
            content_type=duplicate, codename="export_levelintegration", name="e"
        )
        grantees = Group.objects.create(name="Grantees")
        grantees.permissions.add(again, only_new)

        apps = migrate(AFTER)
        ContentType = apps.get_model("contenttypes", "ContentType")
        Permission = apps.get_model("auth", "Permission")
        assert list(ContentType.objects.filter(model="levelintegration").values_list("pk", "app_label")) == [
            (content_type.pk, "integrations")
        ]
        assert not Permission.objects.filter(pk=again.pk).exists()
        assert Permission.objects.get(pk=only_new.pk).content_type_id == content_type.pk
        granted = apps.get_model("auth", "Group").objects.get(pk=grantees.pk).permissions
        assert set(granted.values_list("pk", flat=True)) == {permission.pk, only_new.pk}
        assert list(apps.get_model("auth", "User").objects.get(pk=editor.pk).user_permissions.all()) == [
            Permission.objects.get(pk=permission.pk)
        ]
    finally:
        migrate_to_head()


def test_going_back_gives_the_content_type_and_the_audit_entries_their_old_label() -> None:
    apps = migrate(AFTER)
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="integrations", model="levelintegration")
    apps.get_model("alerting", "AuditEntry").objects.create(
        at=NOW,
        actor="a",
        channel="api",
        action="create",
        object_type="integrations.levelintegration",
        object_id="1",
    )
    try:
        apps = migrate(BEFORE)
        assert (
            apps.get_model("contenttypes", "ContentType").objects.get(pk=content_type.pk).app_label
            == "alerting"
        )
        entries = apps.get_model("alerting", "AuditEntry").objects.values_list("object_type", flat=True)
        assert list(entries) == ["alerting.levelintegration"]
    finally:
        migrate_to_head()
