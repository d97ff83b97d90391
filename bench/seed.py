"""Seeds the benchmark database (run with Django set up): an ingest API key,
two webhook integrations to the receiver, one alert definition whose first
level alerts both on the first error, for all monitors; and the storm's monitors."""

from __future__ import annotations

import json
import os

from alerting.models import AlertDefinition, ApiKey, EscalationLevel, Monitor, MonitorGroup
from integrations.models import Integration, IntegrationKind, IntegrationStep, LevelIntegration

receiver = os.environ["BENCH_RECEIVER"]
monitors = int(os.environ["BENCH_MONITORS"])
_, key = ApiKey.generate("bench", "ingest")
everyone, _ = MonitorGroup.objects.get_or_create(is_all_monitors=True, defaults={"name": "All monitors"})
definition = AlertDefinition.objects.create(name="Storm")
definition.monitor_groups.add(everyone)
level = EscalationLevel.objects.create(definition=definition, number=1, threshold=1)
for name in ("a", "b"):
    integration = Integration.objects.create(name=f"bench-{name}", kind=IntegrationKind.WEBHOOK)
    IntegrationStep.objects.create(
        integration=integration,
        position=1,
        method="POST",
        url=f"{receiver}/{name}",
        body='{"monitor": "{{@monitor.name}}", "type": "{{@alert.type}}"}',
    )
    LevelIntegration.objects.create(level=level, integration=integration)
Monitor.objects.bulk_create(
    [Monitor(key=f"storm-{i:05d}", name=f"storm-{i:05d}") for i in range(monitors)], batch_size=1000
)
print(json.dumps({"key": key}))
