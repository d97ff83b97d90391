# Delivery under faults (issue 12): the breaker's half-open probe and its run count.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0004_message_replay"),
    ]

    operations: list[migrations.operations.base.Operation] = [
        migrations.AddField(
            model_name="integration",
            name="breaker_trips",
            field=models.PositiveIntegerField(
                default=0,
                editable=False,
                help_text="Pauses in a row without a success; each doubles the next.",
            ),
        ),
        migrations.AddField(
            model_name="integration",
            name="probe_owner",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
    ]
