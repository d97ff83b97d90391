"""Re-encrypt every stored secret under the first key in FIELD_ENCRYPTION_KEYS.

To change keys: put the new key in front (``NEW,OLD``), restart, run this
command, then remove the old key. Values are read raw and written back raw,
a batch of rows per transaction, each with a compare-and-swap UPDATE so that a
secret saved by the running application meanwhile (already under the new key)
is never overwritten with an older value. Running it twice is harmless:
values already under the first key are left alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections, models, router, transaction
from django.utils.translation import gettext

from alerting.audit import record as audit
from alerting.audit.context import as_command
from alertsite import encryption
from alertsite.checks import encrypted_columns

SHOWN_FAILURES = 10


@dataclass
class Counts:
    rotated: int = 0
    current: int = 0
    encrypted: int = 0
    changed_meanwhile: int = 0
    failed: list[str] = field(default_factory=list)


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted column of every model under the first key in "
        "FIELD_ENCRYPTION_KEYS, so that older keys can then be removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500).")

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size: int = options["batch_size"]
        if batch_size < 1:
            raise CommandError(gettext("--batch-size must be at least 1."))
        first = Fernet(settings.FIELD_ENCRYPTION_KEYS[0].encode())
        total = Counts()
        for model, fields in encrypted_columns():
            counts = self.rotate_model(model, fields, first, batch_size)
            label = f"{model._meta.label} ({', '.join(f.name for f in fields)})"
            if counts.rotated or counts.encrypted:
                with as_command("rotate_encryption_keys"):
                    audit.action(
                        model,
                        f"{counts.rotated} values re-encrypted and {counts.encrypted} plaintext values "
                        f"encrypted under the first key ({', '.join(f.name for f in fields)})",
                    )
            line = gettext(
                "%(label)s: %(rotated)s re-encrypted, %(encrypted)s plaintext encrypted, "
                "%(current)s already under the first key"
            ) % {
                "label": label,
                "rotated": counts.rotated,
                "encrypted": counts.encrypted,
                "current": counts.current,
            }
            if counts.changed_meanwhile:
                line += gettext(", %(count)s changed meanwhile") % {"count": counts.changed_meanwhile}
            if counts.failed:
                line += gettext(", %(count)s unreadable") % {"count": len(counts.failed)}
            self.stdout.write(line)
            total.rotated += counts.rotated
            total.encrypted += counts.encrypted
            total.current += counts.current
            total.changed_meanwhile += counts.changed_meanwhile
            total.failed.extend(counts.failed)
        self.stdout.write(
            gettext(
                "Total: %(rotated)s re-encrypted, %(encrypted)s plaintext encrypted, "
                "%(current)s already under the first key."
            )
            % {"rotated": total.rotated, "encrypted": total.encrypted, "current": total.current}
        )
        if total.failed:
            shown = "\n".join(f"  {where}" for where in total.failed[:SHOWN_FAILURES])
            more = len(total.failed) - SHOWN_FAILURES
            raise CommandError(
                gettext(
                    "%(count)s stored secrets cannot be decrypted with any key in "
                    "FIELD_ENCRYPTION_KEYS and were left as they are:"
                )
                % {"count": len(total.failed)}
                + f"\n{shown}"
                + ("\n  " + gettext("… and %(count)s more") % {"count": more} if more > 0 else "")
                + "\n"
                + gettext("Add the key they were written with to FIELD_ENCRYPTION_KEYS and run this again.")
            )
        self.stdout.write(self.style.SUCCESS(gettext("Every stored secret is under the first key.")))

    def rotate_model(
        self, model: type[models.Model], fields: Sequence[models.Field], first: Fernet, batch_size: int
    ) -> Counts:
        alias = router.db_for_write(model)
        connection = connections[alias]
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        pk = quote(model._meta.pk.column)
        columns = [quote(f.column) for f in fields]
        # Names come from the models, never from input.
        select = f"SELECT {pk}, {', '.join(columns)} FROM {table}"  # noqa: S608
        counts = Counts()
        last: Any = None
        while True:
            with transaction.atomic(using=alias), connection.cursor() as cursor:
                if last is None:
                    cursor.execute(f"{select} ORDER BY {pk} LIMIT %s", [batch_size])
                else:
                    cursor.execute(f"{select} WHERE {pk} > %s ORDER BY {pk} LIMIT %s", [last, batch_size])
                rows = cursor.fetchall()
                for row in rows:
                    for field_, column, stored in zip(fields, columns, row[1:], strict=True):
                        new, outcome = rotated_value(stored, first)
                        if outcome == "failed":
                            counts.failed.append(f"{model._meta.db_table}.{field_.column} row {row[0]}")
                        if new is None:
                            if outcome == "current":
                                counts.current += 1
                            continue
                        cursor.execute(
                            f"UPDATE {table} SET {column} = %s WHERE {pk} = %s AND {column} = %s",  # noqa: S608
                            [new, row[0], stored],
                        )
                        if cursor.rowcount != 1:
                            counts.changed_meanwhile += 1
                        elif outcome == "encrypted":
                            counts.encrypted += 1
                        else:
                            counts.rotated += 1
            if len(rows) < batch_size:
                return counts
            last = rows[-1][0]


def rotated_value(stored: str | None, first: Fernet) -> tuple[str | None, str]:
    """(value to write back or None to leave it, and what was found)."""
    if stored is None or stored == "":
        return None, "empty"
    if not stored.startswith(encryption.PREFIX):
        # A plaintext value (say, from a raw import) is encrypted now.
        return encryption.encrypt(stored), "encrypted"
    try:
        first.decrypt(stored[len(encryption.PREFIX) :].encode("ascii"))
    except InvalidToken:
        pass
    else:
        return None, "current"
    try:
        return encryption.rotate(stored), "rotated"
    except encryption.DecryptionError:
        return None, "failed"
