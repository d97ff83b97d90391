"""Secrets at rest: every credential encrypted, keys rotated, a wrong key refused at start-up."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.db import connection, models

from alerting.models import Monitor, PingToken
from alertsite import encryption
from alertsite.checks import encrypted_columns
from alertsite.fields import EncryptedJSONField, EncryptedTextField
from integrations.models import (
    Integration,
    IntegrationFunction,
    IntegrationStep,
    IntegrationVariable,
    StatusHubService,
    VaultItem,
)
from tests.security.conftest import manage, new_key

SECRETS = {
    "signing": "signing-secret-0123456789abcdef",
    "variable": "variable-secret-a1b2c3d4e5",
    "password": "step-password-f6e5d4c3b2",
    "token": "step-bearer-token-9a8b7c6d5e",
    "hook": "https://hooks.statushub.example/services/abc123def456ghi789",
    "hash_key": "function-hmac-key-1f2e3d4c",
    "vault_password": "vault-password-5b6a7980",
    "vault_secret": "vault-secret-0c1d2e3f4a",
}
# Field names that mean "a credential": each such text field must be encrypted.
CREDENTIAL_NAME = re.compile(r"password|secret|token|webhook_url|api_?key|routing_key|credential")
# Not encrypted on purpose: one-way hashes, not reversible secrets.
HASHED = {("auth", "password"), ("alerting", "key_hash"), ("alerting", "token_hash")}


def make_secrets(names: int = 1) -> Integration:
    integration = Integration.objects.create(
        name="Hook", kind="webhook", signing_secrets=[SECRETS["signing"]]
    )
    for n in range(names):
        IntegrationVariable.objects.create(
            integration=integration, name=f"Key{n}", is_secret=True, secret_value=f"{SECRETS['variable']}-{n}"
        )
    IntegrationStep.objects.create(
        integration=integration,
        url="https://example.com/hook",
        auth_type="basic",
        auth_username="user",
        auth_password=SECRETS["password"],
        auth_token=SECRETS["token"],
    )
    StatusHubService.objects.create(integration=integration, name="Web", webhook_url=SECRETS["hook"])
    IntegrationFunction.objects.create(
        integration=integration,
        name="Sign",
        kind="hash",
        algorithm="hmac-sha256",
        hash_key=SECRETS["hash_key"],
    )
    VaultItem.objects.create(
        name="ops", username="vault-user", password=SECRETS["vault_password"], secret=SECRETS["vault_secret"]
    )
    return integration


def raw_values(model: type[models.Model], field: models.Field) -> list[str]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(field.column)} FROM {quote(model._meta.db_table)}")
        return [row[0] for row in cursor.fetchall() if row[0]]


def read_back() -> dict[str, object]:
    integration = Integration.objects.get(name="Hook")
    step = integration.steps.get()
    return {
        "signing": integration.signing_secrets,
        "variables": sorted(v.get_value() for v in integration.variables.filter(is_secret=True)),
        "password": step.auth_password,
        "token": step.auth_token,
        "hook": integration.statushub_services.get().webhook_url,
        "hash_key": integration.functions.get().hash_key,
        "vault": VaultItem.objects.get().values(),
    }


def test_every_credential_field_is_encrypted() -> None:
    checked = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField | models.JSONField):
                continue
            if not CREDENTIAL_NAME.search(field.name) or (model._meta.app_label, field.name) in HASHED:
                continue
            if field.name == "key_hash":
                continue
            checked.append(f"{model._meta.label}.{field.name}")
            assert isinstance(field, EncryptedTextField | EncryptedJSONField), checked[-1]
    assert "integrations.IntegrationVariable.secret_value" in checked
    assert "integrations.IntegrationStep.auth_token" in checked


def test_raw_columns_hold_only_ciphertext(db) -> None:
    make_secrets()
    ping = PingToken.for_monitor(Monitor.objects.create(key="cron", name="Cron")).token
    columns = encrypted_columns()
    assert columns, "no encrypted columns found"
    for model, fields in columns:
        for field in fields:
            values = raw_values(model, field)
            # A new encrypted column needs a value in make_secrets() to be covered here.
            assert values, f"{model._meta.label}.{field.name} has no sample value"
            for value in values:
                assert value.startswith(encryption.PREFIX)
                assert not any(secret in value for secret in [*SECRETS.values(), ping])


def test_rotation_reencrypts_everything_under_the_first_key(db, settings) -> None:
    old, new = settings.FIELD_ENCRYPTION_KEYS[0], new_key()
    make_secrets(names=5)
    before = read_back()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    out = StringIO()
    # Batches of 2 rows: the five variables take three transactions.
    call_command("rotate_encryption_keys", "--batch-size", "2", stdout=out)
    text = out.getvalue()
    assert "integrations.IntegrationVariable (secret_value): 5 re-encrypted" in text
    assert "integrations.IntegrationStep (auth_password, auth_token): 2 re-encrypted" in text
    assert "integrations.VaultItem (username, password, secret): 3 re-encrypted" in text
    assert "Total: 13 re-encrypted, 0 plaintext encrypted, 0 already under the first key." in text
    only_new = Fernet(new.encode())
    for model, fields in encrypted_columns():
        for field in fields:
            for value in raw_values(model, field):
                only_new.decrypt(value[len(encryption.PREFIX) :].encode())
    # The old key can now be removed.
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert read_back() == before
    # A second run has nothing to do.
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "Total: 0 re-encrypted, 0 plaintext encrypted, 13 already under the first key." in out.getvalue()


def test_rotation_encrypts_a_plaintext_value(db) -> None:
    variable = IntegrationVariable.objects.create(
        integration=Integration.objects.create(name="Hook", kind="webhook"),
        name="Key",
        is_secret=True,
        secret_value="x",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE integrations_integrationvariable SET secret_value = %s WHERE id = %s",
            ["imported-in-plain-text", variable.pk],
        )
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "1 plaintext encrypted" in out.getvalue()
    assert all(
        v.startswith(encryption.PREFIX)
        for v in raw_values(IntegrationVariable, IntegrationVariable._meta.get_field("secret_value"))
    )
    assert IntegrationVariable.objects.get(pk=variable.pk).get_value() == "imported-in-plain-text"


def test_rotation_reports_unreadable_values_and_rotates_the_rest(db, settings) -> None:
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    integration = make_secrets()
    settings.FIELD_ENCRYPTION_KEYS = [new_key()]
    lost = IntegrationVariable.objects.create(
        integration=integration, name="Lost", is_secret=True, secret_value="under a lost key"
    )
    new = new_key()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("rotate_encryption_keys", stdout=out)
    message = str(raised.value)
    assert "1 stored secrets cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS" in message
    assert f"integrations_integrationvariable.secret_value row {lost.pk}" in message
    assert "under a lost key" not in message + out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert IntegrationStep.objects.get(integration=integration).auth_token == SECRETS["token"]


def test_system_check_names_the_setting(db, settings) -> None:
    make_secrets()
    call_command("check", stdout=StringIO())
    settings.FIELD_ENCRYPTION_KEYS = [new_key()]
    with pytest.raises(SystemCheckError) as raised:
        call_command("check", stdout=StringIO(), stderr=StringIO())
    message = str(raised.value)
    assert "alertsite.E002" in message
    assert "cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS" in message
    assert "rotate_encryption_keys" in message
    assert SECRETS["variable"] not in message


INSERT = """
from integrations.models import Integration, IntegrationVariable
i = Integration.objects.create(name="Hook", kind="webhook")
IntegrationVariable.objects.create(
    integration=i, name="Key", is_secret=True, secret_value="kept-secret-value"
)
"""
READ = """
from integrations.models import IntegrationVariable
print(IntegrationVariable.objects.get(name="Key").get_value())
"""


def test_wrong_or_missing_key_stops_every_entry_point(data_dir: Path) -> None:
    key_a, key_b = new_key(), new_key()
    assert manage(data_dir, "migrate", "--noinput", FIELD_ENCRYPTION_KEYS=key_a).returncode == 0
    inserted = manage(data_dir, "shell", "-c", INSERT, FIELD_ENCRYPTION_KEYS=key_a)
    assert inserted.returncode == 0, inserted.stderr

    for command in (["check"], ["migrate", "--noinput"], ["qcluster", "--run-once"]):
        result = manage(data_dir, *command, FIELD_ENCRYPTION_KEYS=key_b)
        assert result.returncode != 0, command
        assert "cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS" in result.stderr, command
        assert "kept-secret-value" not in result.stdout + result.stderr

    # gunicorn imports the WSGI module, which refuses to load.
    wsgi = manage(data_dir, "shell", "-c", "import alertsite.wsgi", FIELD_ENCRYPTION_KEYS=key_b)
    assert wsgi.returncode != 0
    assert "ImproperlyConfigured: FIELD_ENCRYPTION_KEYS cannot read the stored secrets" in wsgi.stderr

    # No FIELD_ENCRYPTION_KEYS and no key file: a fresh key is generated, which
    # cannot read what was stored, and that is an error, not silent garbage.
    missing = manage(data_dir, "check")
    assert missing.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in missing.stderr

    # A malformed key is refused before anything else runs.
    malformed = manage(data_dir, "check", FIELD_ENCRYPTION_KEYS="not-a-key")
    assert malformed.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS: key #1 is not a valid key" in malformed.stderr

    # Rotation with the new key in front, then the old key can go.
    both = f"{key_b},{key_a}"
    rotated = manage(data_dir, "rotate_encryption_keys", FIELD_ENCRYPTION_KEYS=both)
    assert rotated.returncode == 0, rotated.stderr
    assert "1 re-encrypted" in rotated.stdout
    assert manage(data_dir, "check", FIELD_ENCRYPTION_KEYS=key_b).returncode == 0
    read = manage(data_dir, "shell", "-c", READ, FIELD_ENCRYPTION_KEYS=key_b)
    assert read.stdout.strip().splitlines()[-1] == "kept-secret-value"
    assert manage(data_dir, "check", FIELD_ENCRYPTION_KEYS=key_a).returncode != 0


def test_a_secret_variable_cannot_take_per_level_values(db) -> None:
    # Per-level values are plain configuration (and copied into each message), so a
    # secret set per level would be stored unencrypted: the combination is refused.
    integration = Integration.objects.create(name="Hook", kind="webhook")
    variable = IntegrationVariable(integration=integration, name="Token", is_secret=True, mode="per_level")
    with pytest.raises(ValidationError) as raised:
        variable.full_clean()
    assert "mode" in raised.value.message_dict
    IntegrationVariable(integration=integration, name="Channel", mode="per_level").full_clean()
