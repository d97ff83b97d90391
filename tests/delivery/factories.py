"""Outbox rows as the engine writes them: a monitor, an incident, an alert, messages."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.utils import timezone

from alerting.models import Alert, Incident, Monitor
from integrations.models import Integration, IntegrationKind, IntegrationStep, Message


def webhook(url: str, name: str | None = None, **fields: object) -> Integration:
    integration = Integration.objects.create(
        name=name or f"hook-{uuid.uuid4().hex[:8]}", kind=IntegrationKind.WEBHOOK, **fields
    )
    IntegrationStep.objects.create(
        integration=integration,
        position=1,
        method="POST",
        url=url,
        body='{"type": "{{@alert.type}}", "monitor": "{{@monitor.name}}"}',
        content_type="application/json",
    )
    return integration


def alert(alert_type: str = "Alert", monitor: Monitor | None = None) -> Alert:
    if monitor is None:
        tag = uuid.uuid4().hex[:10]
        monitor = Monitor.objects.create(key=f"m-{tag}", name=f"Monitor {tag}")
    incident = Incident.objects.filter(monitor=monitor, resolved_at__isnull=True).first()
    if incident is None:
        incident = Incident.objects.create(key=uuid.uuid4().hex, monitor=monitor, opened_at=timezone.now())
    return Alert.objects.create(
        incident=incident,
        definition_name="Default",
        level_number=1,
        alert_type=alert_type,
        timestamp=timezone.now(),
        variables={"@alert.type": alert_type, "@monitor.name": monitor.name},
    )


def messages(
    integration: Integration,
    count: int = 1,
    *,
    for_alert: Alert | None = None,
    due: datetime | None = None,
    **fields: object,
) -> list[Message]:
    the_alert = for_alert or alert()
    rows = [
        Message(alert=the_alert, integration=integration, next_attempt_at=due or timezone.now(), **fields)
        for _ in range(count)
    ]
    return Message.objects.bulk_create(rows, batch_size=1000)


def local(httpserver: object, path: str) -> str:
    """The test server's URL by address: outbound calls to "localhost" would
    need both loopback addresses allow-listed."""
    return f"http://127.0.0.1:{httpserver.port}{path}"  # type: ignore[attr-defined]
