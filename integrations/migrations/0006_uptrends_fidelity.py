# Reserved for Uptrends fidelity (issue 15).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0005_delivery_faults"),
    ]

    operations: list[migrations.operations.base.Operation] = []
