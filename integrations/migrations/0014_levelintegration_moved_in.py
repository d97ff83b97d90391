# The escalation level's integration link moves from alerting to integrations (issue 19),
# so that relations between the two apps run one way (integrations -> alerting).
# Only Django's idea of the model moves: the table keeps its name
# (alerting_levelintegration), its rows, indexes and constraints, and the
# message's foreign key keeps pointing at it. alerting 0014 takes the model out
# of alerting's state and moves its content type.

import django.db.models.deletion
from django.db import migrations, models

import alerting.models.definitions


class Migration(migrations.Migration):
    dependencies = [
        ("alerting", "0013_lead_field_names"),
        ("integrations", "0013_message_attempts_only"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="LevelIntegration",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("is_active", models.BooleanField(default=True, verbose_name="is active")),
                        ("send_ok_alerts", models.BooleanField(default=True, verbose_name="send OK alerts")),
                        ("send_reminders", models.BooleanField(default=True, verbose_name="send reminders")),
                        (
                            "variable_values",
                            models.JSONField(
                                blank=True,
                                default=dict,
                                help_text="Values for the integration's variables set to 'value per escalation level'.",
                                verbose_name="variable values",
                            ),
                        ),
                        (
                            "extra_email_addresses",
                            models.JSONField(
                                blank=True,
                                default=list,
                                help_text="E-mail integrations only.",
                                validators=[alerting.models.definitions.validate_email_list],
                                verbose_name="extra email addresses",
                            ),
                        ),
                        (
                            "statushub_service_links",
                            models.JSONField(
                                blank=True,
                                default=list,
                                help_text="StatusHub only: which service each monitor updates.",
                                validators=[alerting.models.definitions.validate_statushub_links],
                                verbose_name="StatusHub service links",
                            ),
                        ),
                        (
                            "integration",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="level_links",
                                to="integrations.integration",
                                verbose_name="integration",
                            ),
                        ),
                        (
                            "level",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="integration_links",
                                to="alerting.escalationlevel",
                                verbose_name="level",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "escalation level integration",
                        "verbose_name_plural": "escalation level integrations",
                        "db_table": "alerting_levelintegration",
                        "ordering": ["level", "integration__name"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("level", "integration"), name="unique_level_integration"
                            )
                        ],
                    },
                ),
                migrations.AlterField(
                    model_name="message",
                    name="level_link",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="integrations.levelintegration",
                        verbose_name="level link",
                    ),
                ),
            ],
        ),
    ]
