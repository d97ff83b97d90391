"""Send a test alert through an integration, filled with the catalogue's
example values as Uptrends does, and show the request(s) and response(s)
with secrets redacted. Exits non-zero when the receiver refuses."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from integrations.models import OPERATOR_KINDS, Integration
from integrations.sending import ALERT_TYPES, send_test
from integrations.transports.base import Exchange, TransportError
from integrations.validation import integration_problems


def find_integration(ref: str) -> Integration:
    try:
        return Integration.objects.get(pk=uuid.UUID(ref))
    except (ValueError, Integration.DoesNotExist):
        pass
    matches = list(Integration.objects.filter(name__iexact=ref))
    exact = [i for i in matches if i.name == ref]
    if len(exact) == 1 or len(matches) == 1:
        return (exact or matches)[0]
    raise CommandError(gettext("No integration is named %(name)s or has that id.") % {"name": repr(ref)})


def format_exchange(exchange: Exchange) -> str:
    request = exchange.request
    lines = [f"> {request.get('method', '')} {request.get('url', '')}"]
    lines += [f"> {name}: {value}" for name, value in request.get("headers", {}).items()]
    if request.get("body"):
        lines += ["", _pretty(request["body"])]
    if exchange.status is not None:
        lines += ["", f"< {exchange.status} ({exchange.duration_ms} ms)"]
        lines += [f"< {name}: {value}" for name, value in exchange.headers.items()]
        if exchange.body:
            lines += ["", _pretty(exchange.body)]
    if exchange.summary:
        # One line to read; the full error under it.
        lines += ["", f"! {exchange.summary}", f"  ({exchange.detail})"]
    elif exchange.error:
        lines += ["", f"! {exchange.error}"]
    return "\n".join(lines)


def _pretty(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


class Command(BaseCommand):
    help = "Send a test alert (example values) through an integration and show the exchange."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("integration", help="The integration's name or id.")
        parser.add_argument("--type", default="Alert", choices=ALERT_TYPES, dest="alert_type")
        parser.add_argument("--level", type=int, default=1, help="The escalation level number (default 1).")
        parser.add_argument("--to", default="", help="E-mail address or phone number (e-mail, SMS, phone).")
        parser.add_argument(
            "--level-variable",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="A value for a variable set per escalation level; may be repeated.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Show the request(s) without sending.")

    def handle(self, *args: Any, **options: Any) -> None:
        integration = find_integration(options["integration"])
        if options["level"] < 1:
            raise CommandError(gettext("--level must be 1 or more."))
        level_variables = {}
        for item in options["level_variable"]:
            name, sep, value = item.partition("=")
            if not sep or not name:
                raise CommandError(
                    gettext("--level-variable takes NAME=VALUE, not %(value)s.") % {"value": repr(item)}
                )
            level_variables[name] = value
        problems = integration_problems(integration)
        if problems:
            raise CommandError(
                gettext("%(name)s is misconfigured:") % {"name": integration.name}
                + "\n  "
                + "\n  ".join(problems)
            )
        if integration.kind in OPERATOR_KINDS and not options["to"]:
            raise CommandError(
                gettext("%(name)s sends to people: give an address or number with --to.")
                % {"name": integration.name}
            )

        try:
            exchanges = send_test(
                integration,
                options["alert_type"],
                options["level"],
                recipient=options["to"],
                level_variables=level_variables,
                dry_run=options["dry_run"],
            )
        except TransportError as exc:
            for exchange in exc.exchanges:
                self.stdout.write(format_exchange(exchange) + "\n")
            text = (
                gettext("The receiver refused the test alert (permanent): %(reason)s")
                if exc.permanent
                else gettext("The receiver refused the test alert (temporary): %(reason)s")
            )
            reason = (exc.exchanges[-1].summary if exc.exchanges else "") or str(exc)
            raise CommandError(text % {"reason": reason}) from None
        if not exchanges:
            self.stdout.write(
                gettext("%(name)s sends nothing for %(type)s alerts.")
                % {"name": integration.name, "type": options["alert_type"]}
            )
            return
        for exchange in exchanges:
            self.stdout.write(format_exchange(exchange) + "\n")
        if options["dry_run"]:
            self.stdout.write(gettext("Dry run: nothing was sent."))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    gettext("Test %(type)s message delivered.") % {"type": options["alert_type"]}
                )
            )
