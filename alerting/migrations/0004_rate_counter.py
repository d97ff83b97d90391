# Reserved for the database-backed rate-limit counter and cache table (issue 12).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("alerting", "0003_checkresult_monitor_index"),
    ]

    operations: list[migrations.operations.base.Operation] = []
