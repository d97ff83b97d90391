from __future__ import annotations

import pytest
from django.db import connection

from alertsite import encryption
from integrations.models import Integration, IntegrationStep, IntegrationVariable

SECRET = "s3cr3t-token-value-1234567890"


def raw_column(table: str, column: str, pk: object) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_secret_variable_is_encrypted_at_rest(db) -> None:
    integration = Integration.objects.create(name="Hook", kind="webhook")
    var = IntegrationVariable.objects.create(
        integration=integration, name="ApiKey", is_secret=True, secret_value=SECRET
    )
    stored = raw_column("integrations_integrationvariable", "secret_value", var.pk)
    assert SECRET not in stored
    assert stored.startswith(encryption.PREFIX)
    assert IntegrationVariable.objects.get(pk=var.pk).get_value() == SECRET


def test_step_credentials_and_signing_secrets_encrypted(db) -> None:
    integration = Integration.objects.create(name="Hook", kind="webhook", signing_secrets=[SECRET])
    step = IntegrationStep.objects.create(
        integration=integration, url="https://example.com", auth_type="basic", auth_password=SECRET
    )
    assert SECRET not in raw_column("integrations_integrationstep", "auth_password", step.pk)
    assert SECRET not in raw_column("integrations_integration", "signing_secrets", integration.pk.hex)
    assert Integration.objects.get(pk=integration.pk).signing_secrets == [SECRET]
    assert IntegrationStep.objects.get(pk=step.pk).auth_password == SECRET


def test_wrong_key_is_a_clear_error(db, settings) -> None:
    integration = Integration.objects.create(name="Hook", kind="webhook")
    IntegrationVariable.objects.create(integration=integration, name="K", is_secret=True, secret_value=SECRET)
    settings.FIELD_ENCRYPTION_KEYS = [encryption.generate_key()]
    with pytest.raises(encryption.DecryptionError, match="FIELD_ENCRYPTION_KEYS"):
        IntegrationVariable.objects.get(name="K").get_value()


def test_rotation_reads_old_values(settings) -> None:
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    stored = encryption.encrypt(SECRET)
    new = encryption.generate_key()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    rotated = encryption.rotate(stored)
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert encryption.decrypt(rotated) == SECRET
