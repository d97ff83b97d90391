# The Acknowledged message type (issue 14): a step may handle it (off by
# default), and integrations made from a preset and not customized take the
# preset's current steps (acknowledge links in chat messages, the Opsgenie and
# Splunk On-Call acknowledge steps).
from django.db import migrations, models


def refresh_preset_steps(apps, schema_editor):
    from integrations.presets import presets

    Integration = apps.get_model("integrations", "Integration")
    IntegrationStep = apps.get_model("integrations", "IntegrationStep")
    found = presets()
    for integration in Integration.objects.filter(customized=False).exclude(preset=""):
        preset = found.get(integration.preset)
        if preset is None:
            continue
        IntegrationStep.objects.filter(integration=integration).delete()
        IntegrationStep.objects.bulk_create(
            IntegrationStep(integration=integration, **fields) for fields in preset.steps
        )


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
