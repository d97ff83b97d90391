from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext

from alerting.audit.context import as_command
from alerting.models import ApiKey, ApiScope


class Command(BaseCommand):
    help = (
        "Create an API key and print it once (only its hash is stored). The key alone goes to "
        "standard output, so KEY=$(python manage.py create_api_key NAME) captures it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="What the key is for, e.g. 'uptime-checker'.")
        parser.add_argument(
            "--scope",
            default=ApiScope.INGEST,
            choices=list(ApiScope.values),
            help=(
                "ingest: submit check results; read: also read incidents and alerts; "
                "respond: also acknowledge and unacknowledge incidents; admin: everything."
            ),
        )
        parser.add_argument(
            "--rate-limit",
            type=int,
            default=None,
            help="Requests per minute for this key (default: the setting).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"].strip()
        if not name or len(name) > 200:
            raise CommandError(gettext("The name must be 1–200 characters."))
        rate = options["rate_limit"]
        if rate is not None and rate < 1:
            raise CommandError(gettext("--rate-limit must be at least 1."))
        with as_command("create_api_key"), transaction.atomic():
            key, raw = ApiKey.generate(name, options["scope"])
            if rate is not None:
                key.rate_limit_per_minute = rate
                key.save(update_fields=["rate_limit_per_minute"])
        self.stderr.write(
            gettext(
                "Created API key %(name)s (scope %(scope)s, starts with %(prefix)s). "
                "Store it now: it cannot be shown again."
            )
            % {"name": repr(name), "scope": key.scope, "prefix": key.prefix}
        )
        self.stdout.write(raw)
