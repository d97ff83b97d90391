"""Who an operator-kind message (e-mail, SMS, phone) goes to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch

from alerting.models import EscalationLevel, OffDutySchedule, Operator, OperatorGroup
from integrations.models import IntegrationKind


@dataclass(frozen=True)
class Recipient:
    address: str
    operator: Operator | None = None


def level_operators(level: EscalationLevel, moment: dt.datetime) -> list[Operator]:
    """The level's operators and its groups' members (*Everyone* meaning every
    operator) who are available at ``moment``, each once, in name order."""
    schedules = Prefetch("off_duty_schedules", queryset=OffDutySchedule.objects.all())
    groups = list(OperatorGroup.objects.filter(escalation_levels=level))
    if any(g.is_everyone for g in groups):
        candidates = Operator.objects.all()
    else:
        candidates = Operator.objects.filter(
            pk__in=list(level.operators.values_list("pk", flat=True))
            + [pk for g in groups for pk in g.members.values_list("pk", flat=True)]
        )
    operators = candidates.filter(is_active=True, is_on_duty=True).prefetch_related(schedules)
    return sorted((o for o in operators if o.is_available(moment)), key=lambda o: (o.full_name, str(o.pk)))


def recipients_for(
    kind: str, level: EscalationLevel, extra_emails: list[str], moment: dt.datetime
) -> list[Recipient]:
    seen: set[str] = set()
    found: list[Recipient] = []
    for operator in level_operators(level, moment):
        address = operator.email if kind == IntegrationKind.EMAIL else operator.mobile_phone
        # SMS and phone need a mobile number; an operator without one is skipped.
        if address and address.lower() not in seen:
            seen.add(address.lower())
            found.append(Recipient(address, operator))
    if kind == IntegrationKind.EMAIL:
        for address in extra_emails or []:
            if isinstance(address, str) and address and address.lower() not in seen:
                seen.add(address.lower())
                found.append(Recipient(address))
    return found
