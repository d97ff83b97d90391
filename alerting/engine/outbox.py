"""The outbox rows (``Message``) for one alert.

The engine only writes rows, in the transaction that raised the alert, and
hands their ids back; whoever called it passes them to delivery
(``integrations.tasks.deliver_after_commit``).
"""

from __future__ import annotations

import datetime as dt

from alerting.config_snapshot import Level, Link
from alerting.engine.coverage import Coverage
from alerting.engine.recipients import Recipient
from alerting.models import Alert, AlertType
from integrations.models import OPERATOR_KINDS, Message

NO_RECIPIENT = (Recipient(""),)


def previous_alert_message(alert: Alert, link: Link, recipient: str) -> int | None:
    """The latest Alert-type message of the same incident and integration (and
    recipient, for operator kinds): an Ok must not overtake it."""
    qs = Message.objects.filter(
        alert__incident_id=alert.incident_id,
        alert__alert_type=AlertType.ALERT,
        integration_id=link.integration_id,
    )
    if link.kind in OPERATOR_KINDS:
        qs = qs.filter(recipient=recipient)
    return qs.order_by("-created_at", "-pk").values_list("pk", flat=True).first()


def message_rows(alert: Alert, level: Level, now: dt.datetime, coverage: Coverage) -> list[Message]:
    """The unsaved messages ``alert`` owes; nothing when it is suppressed.

    Unsaved so that a batch writes the messages of all its alerts with one
    INSERT; ``alert`` must have its primary key already.
    """
    if alert.suppressed_reason:
        return []
    rows: list[Message] = []
    alert_type = alert.alert_type
    for link in level.links:
        if alert_type not in link.wants:
            continue
        if link.kind in OPERATOR_KINDS:
            targets = coverage.recipients(link.kind, level, link.extra_emails)
        else:
            targets = list(NO_RECIPIENT)
        for target in targets:
            # An Ok or Acknowledged must not overtake the alert it refers to.
            follows = alert_type in (AlertType.OK, AlertType.ACKNOWLEDGED)
            depends_on = previous_alert_message(alert, link, target.address) if follows else None
            rows.append(
                Message(
                    alert=alert,
                    integration_id=link.integration_id,
                    level_link_id=link.id,
                    level_variables=dict(link.variable_values),
                    recipient=target.address,
                    operator_id=target.operator_id,
                    depends_on_id=depends_on,
                    next_attempt_at=now,
                )
            )
    return rows


def messages_for(alert: Alert, level: Level, now: dt.datetime, coverage: Coverage) -> list[Message]:
    """Create the messages ``alert`` owes; nothing when it is suppressed."""
    return Message.objects.bulk_create(message_rows(alert, level, now, coverage))
