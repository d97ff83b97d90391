"""The outbox rows (``Message``) for one alert, and handing them to delivery.

The engine only writes rows; delivery sends them. Rows are written in the
transaction that raised the alert, and their ids are queued only once that
transaction has committed, so a worker never looks for a row that is not
there yet (and a rollback queues nothing).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from alerting.engine.coverage import Coverage
from alerting.engine.recipients import Recipient
from alerting.models import Alert, AlertType, EscalationLevel, LevelIntegration
from integrations.models import OPERATOR_KINDS, IntegrationKind, Message

STEP_FLAG = {
    AlertType.ALERT: "handles_alert",
    AlertType.OK: "handles_ok",
    AlertType.REMINDER: "handles_reminder",
}


def link_wants(link: LevelIntegration, alert_type: str) -> bool:
    kind = link.integration.kind
    if kind == IntegrationKind.WEBHOOK:
        # A custom integration decides through its steps' message types; the
        # level's OK/reminder boxes do not apply to it (as in Uptrends).
        return any(getattr(step, STEP_FLAG[alert_type]) for step in link.integration.steps.all())
    if alert_type == AlertType.OK:
        # Nobody wants a phone call to say all is well.
        return link.send_ok_alerts and kind != IntegrationKind.PHONE
    if alert_type == AlertType.REMINDER:
        return link.send_reminders
    return True


def previous_alert_message(alert: Alert, link: LevelIntegration, recipient: str) -> Message | None:
    """The latest Alert-type message of the same incident and integration (and
    recipient, for operator kinds): an Ok must not overtake it."""
    qs = Message.objects.filter(
        alert__incident_id=alert.incident_id,
        alert__alert_type=AlertType.ALERT,
        integration_id=link.integration_id,
    )
    if link.integration.kind in OPERATOR_KINDS:
        qs = qs.filter(recipient=recipient)
    return qs.order_by("-created_at", "-pk").first()


def message_rows(alert: Alert, level: EscalationLevel, now: dt.datetime, coverage: Coverage) -> list[Message]:
    """The unsaved messages ``alert`` owes; nothing when it is suppressed.

    Unsaved so that a batch writes the messages of all its alerts with one
    INSERT; ``alert`` must have its primary key already.
    """
    if alert.suppressed_reason:
        return []
    rows: list[Message] = []
    for link in getattr(level, "active_links", None) or level.integration_links.filter(
        is_active=True, integration__is_active=True
    ).select_related("integration"):
        if not link_wants(link, alert.alert_type):
            continue
        kind = link.integration.kind
        if kind in OPERATOR_KINDS:
            targets = coverage.recipients(kind, level, link.extra_email_addresses)
        else:
            targets = [Recipient("")]
        for target in targets:
            depends_on = (
                previous_alert_message(alert, link, target.address)
                if alert.alert_type == AlertType.OK
                else None
            )
            rows.append(
                Message(
                    alert=alert,
                    integration=link.integration,
                    level_link=link,
                    level_variables=dict(link.variable_values or {}),
                    recipient=target.address,
                    operator=target.operator,
                    depends_on=depends_on,
                    next_attempt_at=now,
                )
            )
    return rows


def messages_for(alert: Alert, level: EscalationLevel, now: dt.datetime, coverage: Coverage) -> list[Message]:
    """Create the messages ``alert`` owes; nothing when it is suppressed."""
    return Message.objects.bulk_create(message_rows(alert, level, now, coverage))


def enqueue_after_commit(message_ids: list[int]) -> None:
    if not message_ids:
        return
    ids = list(message_ids)

    def enqueue() -> None:
        from integrations.delivery.queue import enqueue_messages

        enqueue_messages(ids)

    # enqueue_messages never raises; robust=True keeps even an unforeseen
    # error in the hand-off from turning a committed request into a 500 (the
    # rows are committed, the sweep hands them out).
    transaction.on_commit(enqueue, robust=True)
