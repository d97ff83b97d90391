# Reserved for the configuration snapshot's version (issue 13).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("alerting", "0004_rate_counter"),
    ]

    operations: list[migrations.operations.base.Operation] = []
