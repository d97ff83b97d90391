"""Delivery problems as the admin shows them: which messages are retrying
after a failed attempt, which failed or expired lately, which integrations
the circuit breaker has paused.

The dashboard counts these and the list filters show them, from the same
definitions, so a count always matches the list its link opens.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from integrations.models import Integration, Message, MessageStatus

# Failed and expired messages are counted over this window (by when they
# became final), so an old failure stops colouring the dashboard red.
RECENT = timedelta(hours=24)

# A message still owed whose last attempt failed: the worker will try it again.
RETRYING = Q(status__in=[MessageStatus.PENDING, MessageStatus.SENDING], attempt_count__gt=0) & ~Q(error="")

# The outcome of an attempt row written before its request went out and not
# (yet) updated with the answer: in flight, or its worker died in between.
UNKNOWN_OUTCOMES = {"unknown"}
UNKNOWN_TITLE = gettext_lazy(
    "Recorded before the request went out, with no answer recorded: still in flight, or the worker "
    "stopped before recording it. The receiver may or may not have got it."
)


def recent_since(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - RECENT


def retrying() -> QuerySet[Message]:
    return Message.objects.filter(RETRYING)


def recently(status: str, now: datetime | None = None) -> QuerySet[Message]:
    # updated_at is when the message became final: an expired message is by
    # definition older than the maximum age, so created_at would miss it.
    return Message.objects.filter(status=status, updated_at__gte=recent_since(now))


def paused(now: datetime | None = None) -> QuerySet[Integration]:
    return Integration.objects.filter(paused_until__gt=now or timezone.now())


def is_retrying(message: Message) -> bool:
    return (
        message.status in (MessageStatus.PENDING, MessageStatus.SENDING)
        and message.attempt_count > 0
        and bool(message.error)
    )


def state(message: Message) -> tuple[str, str]:
    """(css key, label) of a message: "Pending" only when nothing failed yet."""
    if is_retrying(message):
        if message.status == MessageStatus.SENDING:
            return "retrying", gettext("Sending again")
        return "retrying", gettext("Retrying")
    status = message.status
    label = MessageStatus(status).label if status in MessageStatus.values else status
    return status, label


class ProblemFilter(admin.SimpleListFilter):
    """The dashboard's *Delivery problems* links open the message log here."""

    title = gettext_lazy("delivery problem")
    parameter_name = "problem"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("retrying", gettext("Retrying after failure")),
            ("failed", gettext("Failed in the last 24 hours")),
            ("expired", gettext("Expired in the last 24 hours")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Message]) -> QuerySet[Message] | None:
        value = self.value()
        if value == "retrying":
            return queryset.filter(RETRYING)
        if value in ("failed", "expired"):
            return queryset.filter(status=value, updated_at__gte=recent_since())
        return None


class BreakerFilter(admin.SimpleListFilter):
    title = gettext_lazy("circuit breaker")
    parameter_name = "breaker"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("paused", gettext("Paused by breaker")),
            ("half_open", gettext("Half-open (pause over, not yet recovered)")),
            ("failing", gettext("Failing, not paused")),
            ("closed", gettext("Working")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Integration]) -> QuerySet[Integration] | None:
        now = timezone.now()
        is_paused = Q(paused_until__gt=now)
        if self.value() == "paused":
            return queryset.filter(is_paused)
        if self.value() == "half_open":
            return queryset.filter(paused_until__lte=now)
        if self.value() == "failing":
            return queryset.filter(~is_paused, consecutive_failures__gt=0)
        if self.value() == "closed":
            return queryset.filter(~is_paused, consecutive_failures=0)
        return None
