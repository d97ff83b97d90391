# The API's rate counters and the delivery workers' heartbeat as tables of our
# own (issue 12), and the database cache's table, so that `migrate` alone
# leaves a working install.
from django.core.management import call_command
from django.db import migrations, models


def create_cache_tables(apps, schema_editor):
    # The cache tables the settings name (none with Redis); createcachetable
    # skips a table that exists, so installs that ran it before are unchanged.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("alerting", "0003_checkresult_monitor_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="RateCounter",
            fields=[
                ("key", models.CharField(max_length=100, primary_key=True, serialize=False)),
                (
                    "window",
                    models.BigIntegerField(
                        db_index=True, help_text="Start of the window, in minutes since the epoch."
                    ),
                ),
                ("count", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "API rate counter",
            },
        ),
        migrations.CreateModel(
            name="WorkerHeartbeat",
            fields=[
                ("name", models.CharField(max_length=100, primary_key=True, serialize=False)),
                ("seen_at", models.DateTimeField()),
            ],
            options={
                "verbose_name": "worker heartbeat",
            },
        ),
        migrations.RunPython(create_cache_tables, migrations.RunPython.noop, elidable=True),
    ]
