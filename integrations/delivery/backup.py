"""An operator's backup e-mail address: where an e-mail goes when the operator's
own address failed for good.

Uptrends keeps a backup address with each operator's contact details; here it
earns its keep on the bad day: a mailbox that refuses (full, deleted, a typo)
or a domain whose mail servers are down past the last retry must not leave the
operator uninformed. The fallback is one new message in the outbox, to the
backup address, visible and replayable like any other; it is made once per
failed message and never from a message that already went to the backup.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from integrations.models import IntegrationKind, Message, MessageStatus


def fall_back(message_ids: list[int]) -> list[int]:
    """For each failed operator e-mail among ``message_ids`` whose operator has
    a backup address, write a message to that address; returns the new ids."""
    failed = (
        Message.objects.filter(
            pk__in=message_ids,
            status=MessageStatus.FAILED,
            integration__kind=IntegrationKind.EMAIL,
            operator__isnull=False,
            alert__isnull=False,
        )
        .exclude(operator__backup_email="")
        .select_related("operator")
    )
    now = timezone.now()
    fresh = []
    with transaction.atomic():
        for message in failed:
            assert message.operator is not None
            backup = message.operator.backup_email
            if message.recipient.lower() == backup.lower():
                continue
            duplicate = Message.objects.filter(
                alert=message.alert_id, integration_id=message.integration_id, recipient=backup
            )
            if duplicate.exists():
                continue
            fresh.append(
                Message(
                    alert_id=message.alert_id,
                    integration_id=message.integration_id,
                    level_link_id=message.level_link_id,
                    level_variables=message.level_variables,
                    recipient=backup,
                    operator_id=message.operator_id,
                    next_attempt_at=now,
                )
            )
        created = Message.objects.bulk_create(fresh)
    return [m.pk for m in created]
