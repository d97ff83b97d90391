# The configuration snapshot's version (issue 13).
from django.db import migrations, models


def create_row(apps, schema_editor):
    ConfigVersion = apps.get_model("alerting", "ConfigVersion")
    ConfigVersion.objects.using(schema_editor.connection.alias).get_or_create(pk=1, defaults={"version": 1})


class Migration(migrations.Migration):
    dependencies = [
        ("alerting", "0004_rate_counter"),
    ]

    operations = [
        migrations.CreateModel(
            name="ConfigVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.BigIntegerField(default=1)),
            ],
            options={"verbose_name": "configuration version"},
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
