# Step chaining (issue 15): a message runs every step that handles its alert
# type, in order (the one-step-per-type constraints go), and a step may capture
# values from its response for the later ones. Integrations made from a preset
# and not customized take the preset's current steps (ServiceNow now resolves
# by looking the incident up and PATCHing it; its import-set variable goes and
# CloseCode comes).
from django.db import migrations, models


def refresh_preset_steps(apps, schema_editor):
    from integrations.presets import presets

    Integration = apps.get_model("integrations", "Integration")
    IntegrationStep = apps.get_model("integrations", "IntegrationStep")
    IntegrationVariable = apps.get_model("integrations", "IntegrationVariable")
    # Only the fields this migration's model has: later migrations may add more.
    known = {field.name for field in IntegrationStep._meta.get_fields()}
    found = presets()
    for integration in Integration.objects.filter(customized=False).exclude(preset=""):
        preset = found.get(integration.preset)
        if preset is None:
            continue
        IntegrationStep.objects.filter(integration=integration).delete()
        IntegrationStep.objects.bulk_create(
            IntegrationStep(integration=integration, **{k: v for k, v in fields.items() if k in known})
            for fields in preset.steps
        )
        wanted = {spec.name: spec for spec in preset.variables}
        variables = IntegrationVariable.objects.filter(integration=integration)
        variables.exclude(name__in=wanted).delete()
        have = set(variables.values_list("name", flat=True))
        for position, spec in enumerate(preset.variables):
            if spec.name in have:
                continue
            # A variable the new steps use (ServiceNow's CloseCode), with its default.
            IntegrationVariable.objects.create(
                integration=integration,
                name=spec.name,
                mode=spec.mode,
                is_secret=spec.secret,
                value="" if spec.secret else spec.default,
                secret_value=spec.default if spec.secret else "",
                description=spec.description[:300],
                position=position,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0008_h15b_functions_vault_auth"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="integrationstep", name="one_step_for_alert"),
        migrations.RemoveConstraint(model_name="integrationstep", name="one_step_for_ok"),
        migrations.RemoveConstraint(model_name="integrationstep", name="one_step_for_reminder"),
        migrations.RemoveConstraint(model_name="integrationstep", name="one_step_for_acknowledged"),
        migrations.AddField(
            model_name="integrationstep",
            name="captures",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Values taken from the response for later steps: a list of {name, source "
                "(json-pointer or regex), expression, secret, optional}; later steps use {{name}}.",
            ),
        ),
        migrations.RunPython(refresh_preset_steps, migrations.RunPython.noop),
    ]
