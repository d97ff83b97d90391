"""What a new account starts with, as in Uptrends: the system groups, the
built-in E-mail, SMS and Phone integrations, and a *Default alert definition*
covering *All monitors* that e-mails *Everyone* at level 1."""

from django.db import migrations

TWILIO_VARIABLES = [
    ("TwilioAccountSid", False, "The Twilio account SID (AC…)."),
    ("TwilioAuthToken", True, "The Twilio auth token."),
    ("FromNumber", False, "The sending number in E.164 form, or an alphanumeric sender (SMS only)."),
]


def level_integration_model(apps):
    """Alerting's at this migration; integrations' since integrations 0014
    moved it there, as the tests find it (they run this with today's models
    to restore the defaults, tests/conftest.py)."""
    try:
        return apps.get_model("integrations", "LevelIntegration")
    except LookupError:
        return apps.get_model("alerting", "LevelIntegration")


def create_defaults(apps, schema_editor):
    OperatorGroup = apps.get_model("alerting", "OperatorGroup")
    MonitorGroup = apps.get_model("alerting", "MonitorGroup")
    AlertDefinition = apps.get_model("alerting", "AlertDefinition")
    EscalationLevel = apps.get_model("alerting", "EscalationLevel")
    LevelIntegration = level_integration_model(apps)
    AccountSettings = apps.get_model("alerting", "AccountSettings")
    Integration = apps.get_model("integrations", "Integration")
    IntegrationVariable = apps.get_model("integrations", "IntegrationVariable")

    everyone, _ = OperatorGroup.objects.get_or_create(is_everyone=True, defaults={"name": "Everyone"})
    OperatorGroup.objects.get_or_create(is_administrators=True, defaults={"name": "Administrators"})
    all_monitors, _ = MonitorGroup.objects.get_or_create(
        is_all_monitors=True, defaults={"name": "All monitors"}
    )
    AccountSettings.objects.get_or_create(pk=1)

    email, _ = Integration.objects.get_or_create(
        kind="email",
        is_builtin=True,
        defaults={"name": "E-mail", "description": "Alerting by e-mail to the level's operators."},
    )
    for kind, name, description in (
        ("sms", "SMS", "Alerting by SMS to on-duty operators' mobile numbers."),
        ("phone", "Phone", "Alerting by phone call to on-duty operators (no OK alerts)."),
    ):
        integration, created = Integration.objects.get_or_create(
            kind=kind, is_builtin=True, defaults={"name": name, "description": description}
        )
        if created:
            for position, (var, secret, help_text) in enumerate(TWILIO_VARIABLES):
                if kind == "phone" and var == "FromNumber":
                    help_text = "The calling number in E.164 form."
                IntegrationVariable.objects.create(
                    integration=integration,
                    name=var,
                    is_secret=secret,
                    description=help_text,
                    position=position,
                )

    if not AlertDefinition.objects.exists():
        definition = AlertDefinition.objects.create(name="Default alert definition", is_active=True)
        definition.monitor_groups.add(all_monitors)
        for number in (1, 2, 3):
            level = EscalationLevel.objects.create(
                definition=definition,
                number=number,
                is_active=number == 1,
                mode="error_count",
                threshold=number,
            )
            if number == 1:
                level.operator_groups.add(everyone)
                LevelIntegration.objects.create(
                    level=level, integration=email, send_ok_alerts=True, send_reminders=True
                )


class Migration(migrations.Migration):
    dependencies = [
        ("alerting", "0002_initial"),
        ("integrations", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
