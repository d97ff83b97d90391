# Reserved for heartbeat monitors and ping URLs (issue 14).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("alerting", "0005_config_version"),
    ]

    operations: list[migrations.operations.base.Operation] = []
