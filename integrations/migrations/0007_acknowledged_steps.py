# The Acknowledged message type (issue 14): a step may handle it (off by
# default), and integrations made from a preset and not customized take the
# preset's current steps (acknowledge links in chat messages, the Opsgenie and
# Splunk On-Call acknowledge steps).
from django.db import migrations, models


def refresh_preset_steps(apps, schema_editor):
    # The presets are read as they are now, and may hold what this migration's
    # model cannot (a step's captures, several steps for one alert type): the
    # refresh is done once, by 0009_h15c_step_captures, after the last change
    # to steps.
    return


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0006_uptrends_fidelity"),
    ]

    operations = [
        migrations.AddField(
            model_name="integrationstep",
            name="handles_acknowledged",
            field=models.BooleanField(default=False, verbose_name="Acknowledged"),
        ),
        migrations.AddConstraint(
            model_name="integrationstep",
            constraint=models.UniqueConstraint(
                condition=models.Q(("handles_acknowledged", True)),
                fields=("integration",),
                name="one_step_for_acknowledged",
            ),
        ),
        migrations.RunPython(refresh_preset_steps, migrations.RunPython.noop),
    ]
