# The escalation level's integration link now belongs to integrations (issue 19;
# integrations 0014 took the model into its state, table and rows unchanged).
# Here it leaves alerting's state, and what is stored under its old label
# follows it: the content type row is relabelled rather than replaced, so the
# permissions granted on it and the admin's history (both tied to the row's id)
# stay; audit entries name the new label, so one link's history reads as one.
from django.conf import settings
from django.db import migrations

MODEL = "levelintegration"


def merge_content_types(apps, db, keep, duplicate):
    """Fold ``duplicate`` into ``keep``: both exist when a migrate stopped
    between the two halves of the move (post_migrate then made a row for the
    model's new app). ``keep`` is the one the grants and the history point to."""
    Permission = apps.get_model("auth", "Permission")
    LogEntry = apps.get_model("admin", "LogEntry")
    permissions = Permission.objects.using(db)
    for permission in permissions.filter(content_type=duplicate):
        kept = permissions.filter(content_type=keep, codename=permission.codename).first()
        if kept is None:
            permission.content_type = keep
            permission.save(update_fields=["content_type"])
            continue
        kept.user_set.add(*permission.user_set.all())
        kept.group_set.add(*permission.group_set.all())
        permission.delete()
    LogEntry.objects.using(db).filter(content_type=duplicate).update(content_type=keep)
    duplicate.delete()


def relabel(apps, schema_editor, source, target):
    db = schema_editor.connection.alias
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEntry = apps.get_model("alerting", "AuditEntry")
    types = ContentType.objects.using(db)
    moving = types.filter(app_label=source, model=MODEL).first()
    # None in a new database: post_migrate makes the row under the new label.
    if moving is not None:
        there = types.filter(app_label=target, model=MODEL).first()
        if there is not None:
            merge_content_types(apps, db, keep=moving, duplicate=there)
        moving.app_label = target
        moving.save(update_fields=["app_label"])
        ContentType.objects.clear_cache()
    AuditEntry.objects.using(db).filter(object_type=f"{source}.{MODEL}").update(
        object_type=f"{target}.{MODEL}"
    )


def forwards(apps, schema_editor):
    relabel(apps, schema_editor, "alerting", "integrations")


def backwards(apps, schema_editor):
    relabel(apps, schema_editor, "integrations", "alerting")


class Migration(migrations.Migration):
    dependencies = [
        ("alerting", "0013_lead_field_names"),
        ("integrations", "0014_levelintegration_moved_in"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="LevelIntegration")],
        ),
        migrations.RunPython(forwards, backwards),
    ]
