# Heartbeat monitors and ping URLs (issue 14).
import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import alertsite.fields


class Migration(migrations.Migration):
    dependencies = [
        ("alerting", "0005_config_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="monitor",
            name="expected_interval_seconds",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Heartbeat: when no result arrives for this long plus the grace time, an error "
                '"No check result received since …" is recorded. Empty: results are not expected on a '
                "schedule.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(60),
                    django.core.validators.MaxValueValidator(31622400),
                ],
                verbose_name="expected interval (seconds)",
            ),
        ),
        migrations.AddField(
            model_name="monitor",
            name="grace_seconds",
            field=models.PositiveIntegerField(
                default=60,
                help_text="Heartbeat: how late a result may be before it counts as missing.",
                validators=[django.core.validators.MaxValueValidator(31622400)],
                verbose_name="grace time (seconds)",
            ),
        ),
        migrations.CreateModel(
            name="PingToken",
            fields=[
                (
                    "monitor",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="ping_token",
                        serialize=False,
                        to="alerting.monitor",
                    ),
                ),
                ("token_hash", models.CharField(editable=False, max_length=64, unique=True)),
                ("token", alertsite.fields.EncryptedTextField(editable=False)),
                ("started_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
            ],
            options={
                "verbose_name": "ping token",
            },
        ),
    ]
