from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils.translation import gettext

from alerting.audit.context import as_command
from alerting.models import ApiKey
from alerting.models.ingest import hash_key


class Command(BaseCommand):
    help = (
        "Revoke an API key, given its name, its first characters (as the admin shows them) or the key itself."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("key", help="The key's name, its prefix, or the whole key.")

    def handle(self, *args: Any, **options: Any) -> None:
        given = options["key"].strip()
        matches = list(
            ApiKey.objects.filter(Q(key_hash=hash_key(given)) | Q(name=given) | Q(prefix=given)).filter(
                revoked_at__isnull=True
            )
        )
        if not matches:
            raise CommandError(gettext("No active API key matches %(key)s.") % {"key": repr(given)})
        if len(matches) > 1:
            names = ", ".join(f"{k.name} ({k.prefix}…)" for k in matches)
            raise CommandError(
                gettext("%(count)s keys match %(key)s: %(names)s. Use the key's prefix instead.")
                % {"count": len(matches), "key": repr(given), "names": names}
            )
        key = matches[0]
        with as_command("revoke_api_key"):
            key.revoke()
        self.stdout.write(
            gettext("Revoked API key %(name)s (%(prefix)s…).")
            % {"name": repr(key.name), "prefix": key.prefix}
        )
