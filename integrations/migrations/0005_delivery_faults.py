# Reserved for delivery under faults: leases, probe, attempts before sending (issue 12).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0004_message_replay"),
    ]

    operations: list[migrations.operations.base.Operation] = []
