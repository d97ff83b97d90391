"""Who an operator-kind message (e-mail, SMS, phone) goes to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from alerting.config_snapshot import Level
from integrations.models import IntegrationKind


@dataclass(frozen=True, slots=True)
class Recipient:
    address: str
    operator_id: Any = None


def recipients_for(
    kind: str, level: Level, extra_emails: tuple[str, ...], moment: dt.datetime, tz: str
) -> list[Recipient]:
    """The level's operators available at ``moment`` (off-duty schedules read
    in the account time zone ``tz``, as Uptrends does), each address once, then
    the link's extra addresses for e-mail."""
    seen: set[str] = set()
    found: list[Recipient] = []
    for operator in level.operators:
        if not operator.available(moment, tz):
            continue
        address = operator.email if kind == IntegrationKind.EMAIL else operator.mobile_phone
        # SMS and phone need a mobile number; an operator without one is skipped.
        if address and address.lower() not in seen:
            seen.add(address.lower())
            found.append(Recipient(address, operator.id))
    if kind == IntegrationKind.EMAIL:
        for address in extra_emails:
            if address and address.lower() not in seen:
                seen.add(address.lower())
                found.append(Recipient(address))
    return found
