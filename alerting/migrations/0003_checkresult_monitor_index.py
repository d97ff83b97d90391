import django.db.models.deletion
from django.db import migrations, models

# The (monitor, -timestamp) index check_monitor_time already serves every
# lookup by monitor; the foreign key's own index only cost each submission a
# write. Dropped by name so that the foreign key constraint is left alone
# (AlterField would drop and re-add it, checking every stored row again).
INDEX = "alerting_checkresult_monitor_id_6a5d6f00"


class Migration(migrations.Migration):
    dependencies = [
        ("alerting", "0002_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="checkresult",
                    name="monitor",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="check_results",
                        to="alerting.monitor",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=f'CREATE INDEX "{INDEX}" ON "alerting_checkresult" ("monitor_id")',
                ),
            ],
        ),
    ]
