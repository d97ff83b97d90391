from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext

from alerting.audit.context import as_command
from alerting.configfile.apply import Applier
from alerting.configfile.base import ConfigError
from alerting.configfile.fileio import load_file


class DryRunRollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Make the database match a configuration document written by export_config (or by hand), in one "
        "transaction, printing what is created, changed and (with --prune) deleted. Secrets the file "
        "leaves out keep their stored values."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A YAML or JSON document.")
        parser.add_argument("--dry-run", action="store_true", help="Print what would change; save nothing.")
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Also delete objects the document does not have "
            "(never system groups or built-in integrations).",
        )

    def handle(self, *args: Any, file: str, dry_run: bool, prune: bool, **options: Any) -> None:
        try:
            document = load_file(file)
            lines = self.apply(document, prune, dry_run)
        except ConfigError as exc:
            raise CommandError(
                gettext("%(file)s: nothing was changed.") % {"file": file} + f"\n{exc}"
            ) from None
        for line in lines:
            self.stdout.write(line)
        if not lines:
            self.stdout.write(gettext("No changes."))
        if dry_run:
            self.stdout.write(gettext("Dry run: nothing was saved."))

    def apply(self, document: Any, prune: bool, dry_run: bool) -> list[str]:
        applier = Applier(document, prune)
        try:
            # A dry run's audit entries are rolled back with its changes.
            with as_command("apply_config"), transaction.atomic():
                applier.run()
                if dry_run:
                    # Run everything (so the report is exact), then undo it.
                    raise DryRunRollback
        except DryRunRollback:
            pass
        return applier.report.lines
