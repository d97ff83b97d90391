from __future__ import annotations

from django.core.management.base import BaseCommand

from alertsite.encryption import generate_key


class Command(BaseCommand):
    help = "Print a new key for FIELD_ENCRYPTION_KEYS."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(generate_key())
