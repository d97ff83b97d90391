"""Retry messages: ``retry_messages --status failed --integration Ops --since 2026-01-05T00:00Z``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet
from django.utils.translation import gettext

from integrations.delivery.replay import retry_messages
from integrations.models import Integration, Message, MessageStatus

REPLAYABLE = [MessageStatus.FAILED, MessageStatus.EXPIRED, MessageStatus.PENDING, MessageStatus.DELIVERED]


def aware(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            gettext("--since must be an ISO 8601 date and time, not %(value)s") % {"value": repr(value)}
        ) from None
    if moment.tzinfo is None:
        raise CommandError(gettext("--since needs a time zone, e.g. 2026-01-05T09:00:00Z"))
    return moment


class Command(BaseCommand):
    help = "Queue messages again (failed ones by default), with a fresh retry schedule."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--status", choices=REPLAYABLE, help="Default: failed (unless --id is given).")
        parser.add_argument("--integration", help="An integration's exact name or id.")
        parser.add_argument("--since", help="Only messages created at or after this time (ISO 8601).")
        parser.add_argument("--id", type=int, action="append", dest="ids", help="A message id (repeatable).")
        parser.add_argument("--dry-run", action="store_true", help="Only say how many would be retried.")

    def handle(self, *args: Any, **options: Any) -> None:
        messages: QuerySet[Message] = Message.objects.all()
        if options["ids"]:
            messages = messages.filter(id__in=options["ids"])
            missing = set(options["ids"]) - set(messages.values_list("id", flat=True))
            if missing:
                raise CommandError(
                    gettext("No message with id %(ids)s") % {"ids": ", ".join(map(str, sorted(missing)))}
                )
        status = options["status"] or (None if options["ids"] else MessageStatus.FAILED)
        if status:
            messages = messages.filter(status=status)
        if options["integration"]:
            integration = self._integration(options["integration"])
            messages = messages.filter(integration=integration)
        if options["since"]:
            messages = messages.filter(created_at__gte=aware(options["since"]))
        ids = list(messages.values_list("id", flat=True))
        if options["dry_run"]:
            self.stdout.write(gettext("%(count)s message(s) would be retried.") % {"count": len(ids)})
            return
        replayed = retry_messages(ids)
        skipped = len(ids) - len(replayed)
        self.stdout.write(
            self.style.SUCCESS(gettext("Retried %(count)s message(s).") % {"count": len(replayed)})
        )
        if skipped:
            self.stdout.write(gettext("%(count)s being sent right now were left alone.") % {"count": skipped})

    def _integration(self, value: str) -> Integration:
        found = Integration.objects.filter(name=value).first()
        if found is None:
            try:
                found = Integration.objects.filter(pk=value).first()
            except Exception:
                found = None
        if found is None:
            raise CommandError(gettext("No integration named %(name)s") % {"name": repr(value)})
        return found
