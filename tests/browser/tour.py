"""A small, realistic configuration for the admin UX tests and the README's
screenshots: the migrations' *Default alert definition* (All monitors), a
shop definition naming one monitor directly, maintenance on now, an operator
with off-duty schedules, and an error that raised alerts and messages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from alerting.engine import process_batch
from alerting.engine.submissions import Submission
from alerting.models import (
    AlertDefinition,
    EscalationLevel,
    MaintenancePeriod,
    MaintenanceType,
    Monitor,
    OffDutySchedule,
    Operator,
)
from integrations import provisioning
from integrations.models import Integration, IntegrationKind, IntegrationVariable, LevelIntegration


@dataclass
class Tour:
    shop: Monitor
    backup: Monitor
    definition: AlertDefinition
    receiver: Integration
    operator: Operator


def build_tour(receiver_url: str = "http://127.0.0.1:9/hook") -> Tour:
    now = timezone.now()
    shop = Monitor.objects.create(
        key="web-shop-checkout",
        name="Web-Shop checkout",
        monitor_type="HTTPS",
        url="https://shop.example/checkout",
        custom_fields={"ComponentId": "7149488f", "Team": "Shop"},
    )
    backup = Monitor.objects.create(key="nightly-backup", name="Nightly backup", monitor_type="Heartbeat")
    MaintenancePeriod.objects.create(
        monitor=backup,
        maintenance_type=MaintenanceType.DISABLE_NOTIFICATIONS,
        mode="one_time",
        start_datetime=now - dt.timedelta(hours=1),
        end_datetime=now + dt.timedelta(hours=2),
        description="Storage migration",
    )
    receiver = Integration.objects.create(name="Ops receiver", kind=IntegrationKind.WEBHOOK)
    provisioning.apply_preset(receiver, "uptrends")
    IntegrationVariable.objects.filter(integration=receiver, name="ApiUrl").update(value=receiver_url)
    operator = Operator.objects.create(
        full_name="Ada Lovelace", email="ada@example.com", mobile_phone="+31612345678"
    )
    for weekday in (5, 6):
        OffDutySchedule.objects.create(
            operator=operator,
            mode="weekly",
            weekday=weekday,
            start_time=dt.time(0, 0),
            end_time=dt.time(23, 59),
            description="Weekend, except when on call for the shop",
        )
    definition = AlertDefinition.objects.create(name="Web-Shop Eskalation")
    definition.monitors.add(shop)
    level1 = EscalationLevel.objects.create(definition=definition, number=1, threshold=1)
    level1.operators.add(operator)
    LevelIntegration.objects.create(level=level1, integration=receiver)
    EscalationLevel.objects.create(definition=definition, number=2, threshold=15, mode="error_duration")
    process_batch(
        [
            Submission(
                monitor=shop.key,
                status="error",
                timestamp=now - dt.timedelta(minutes=2),
                description="HTTP 503 from https://shop.example/checkout",
            )
        ]
    )
    return Tour(shop, backup, definition, receiver, operator)
