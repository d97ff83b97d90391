"""Start-up check: the configured keys can read the secrets already stored.

A key that is wrong, missing from ``FIELD_ENCRYPTION_KEYS`` or regenerated
into a fresh data folder would otherwise go unnoticed until the first message
that needs a secret fails to send. The check test-decrypts one stored value
per encrypted column (the oldest, as it is the likeliest to be under a
retired key) and reports a system check error naming the setting.

Django runs system checks before ``runserver``, ``migrate``, ``qcluster`` and
every other management command; gunicorn runs none, so ``alertsite.wsgi``
calls ``require_readable_secrets`` itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections, models, router, transaction

from alertsite import encryption
from alertsite.fields import EncryptedJSONField, EncryptedTextField

ENCRYPTED_FIELDS = (EncryptedTextField, EncryptedJSONField)
HINT = (
    "Put the key the secrets were written with into FIELD_ENCRYPTION_KEYS (comma-separated, newest "
    "first). To change keys, put the new key in front of the old one, run 'python manage.py "
    "rotate_encryption_keys', and only then remove the old key."
)


def encrypted_columns() -> list[tuple[type[models.Model], list[models.Field[Any, Any]]]]:
    """Every concrete model with its encrypted columns."""
    found: list[tuple[type[models.Model], list[models.Field[Any, Any]]]] = []
    for model in apps.get_models():
        opts = model._meta
        if opts.proxy or not opts.managed:
            continue
        fields: list[models.Field[Any, Any]] = [
            f for f in opts.local_concrete_fields if isinstance(f, ENCRYPTED_FIELDS)
        ]
        if fields:
            found.append((model, fields))
    return found


def _oldest_value(model: type[models.Model], field: models.Field) -> tuple[Any, str] | None:
    """(pk, stored text) of the oldest non-empty value, read raw (no decryption)."""
    alias = router.db_for_read(model)
    connection = connections[alias]
    quote = connection.ops.quote_name
    table, column, pk = quote(model._meta.db_table), quote(field.column), quote(model._meta.pk.column)
    sql = (
        f"SELECT {pk}, {column} FROM {table} "  # noqa: S608 - names come from the models, not input
        f"WHERE {column} IS NOT NULL AND {column} <> '' ORDER BY {pk} LIMIT 1"
    )
    # A savepoint, so that a missing table does not spoil a surrounding transaction.
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None


def undecryptable_secrets() -> list[str]:
    """A message per encrypted column whose sample value the keys cannot read."""
    problems = []
    for model, fields in encrypted_columns():
        for field in fields:
            try:
                sample = _oldest_value(model, field)
            except DatabaseError:
                # No database yet, or the table is not migrated: nothing stored to check.
                continue
            if sample is None:
                continue
            pk, stored = sample
            where = f"{model._meta.db_table}.{field.column} (row {pk})"
            if not str(stored).startswith(encryption.PREFIX):
                problems.append(
                    f"{where} holds a value that is not encrypted; run 'python manage.py "
                    "rotate_encryption_keys' to encrypt it under the first key in FIELD_ENCRYPTION_KEYS."
                )
                continue
            try:
                encryption.decrypt(stored)
            except encryption.DecryptionError:
                problems.append(
                    f"The secret stored in {where} cannot be decrypted with any key in "
                    "FIELD_ENCRYPTION_KEYS: the key it was written with is missing or wrong."
                )
    return problems


def check_encryption_keys(
    app_configs: Iterable[Any] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    try:
        encryption.cipher()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), hint=HINT, id="alertsite.E001")]
    return [checks.Error(message, hint=HINT, id="alertsite.E002") for message in undecryptable_secrets()]


def require_readable_secrets() -> None:
    """Raise ImproperlyConfigured when the keys cannot read the stored secrets."""
    errors = check_encryption_keys()
    if errors:
        lines = "\n".join(f"- {error.msg}" for error in errors)
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS cannot read the stored secrets:\n{lines}\n{HINT}")
