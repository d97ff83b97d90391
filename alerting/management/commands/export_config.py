from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext

from alerting.configfile.export import build_document
from alerting.configfile.fileio import dumps


class Command(BaseCommand):
    help = (
        "Write the whole alerting configuration (operators, groups, monitors, maintenance, integrations, "
        "alert definitions) as one YAML or JSON document. Secrets are left out unless --include-secrets."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", help="Write to this file instead of standard output.")
        parser.add_argument(
            "--format", choices=["yaml", "json"], help="Default: from the file name, else yaml."
        )
        parser.add_argument(
            "--include-secrets",
            action="store_true",
            help="Include secret values (variables, step credentials, signing secrets). Keep the file safe.",
        )

    def handle(
        self, *args: Any, output: str | None, format: str | None, include_secrets: bool, **options: Any
    ) -> None:
        fmt = format or ("json" if output and output.endswith(".json") else "yaml")
        text = dumps(build_document(include_secrets=include_secrets), fmt)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stderr.write(gettext("Wrote the configuration to %(file)s.") % {"file": output})
        else:
            self.stdout.write(text, ending="")
