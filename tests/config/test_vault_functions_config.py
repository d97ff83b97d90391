"""The vault and user-defined functions in export_config / apply_config."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from alerting.configfile.export import build_document
from integrations.models import IntegrationFunction, IntegrationStep, VaultItem
from tests.config.configdata import make_fresh

PASSWORD, SECRET, HASH_KEY = "vault-pw-secret-9z8y", "vault-secret-7x6w", "hash-key-secret-5v4u"


def export(tmp_path: Path, *args: str, name: str = "config.yaml") -> Path:
    path = tmp_path / name
    call_command("export_config", "--output", str(path), *args, stderr=io.StringIO())
    return path


def apply(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("apply_config", str(path), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def configured(api) -> str:
    item = api.post(
        "vault", {"name": "ops", "username": "svc", "password": PASSWORD, "secret": SECRET}
    ).json()
    ref = "{{@VaultItem." + item["id"] + "."
    response = api.post(
        "integrations",
        {
            "name": "Signed",
            "kind": "webhook",
            "functions": [
                {"name": "Severity", "kind": "mapping", "mapping": [["Alert", "P1"]], "default_value": "P3"},
                {"name": "Code", "kind": "regex", "pattern": r"HTTP (\d+)", "description": "status"},
                {"name": "Sign", "kind": "hash", "algorithm": "hmac-sha512", "hash_key": HASH_KEY},
                {
                    "name": "VaultSign",
                    "kind": "hash",
                    "algorithm": "hmac-sha1",
                    "hash_key": ref + "Secret}}",
                    "encoding": "base64",
                },
            ],
            "steps": [
                {
                    "url": "https://hooks.example.com/in",
                    "auth_type": "digest",
                    "auth_username": ref + "Username}}",
                    "auth_password": ref + "Password}}",
                    "headers": [["X-Sig", "{{Sign({{@incident.key}})}}"]],
                    "body": '{"p": "{{Severity({{@alert.type}})}}", "c": "{{Code({{@alert.description}})}}"}',
                }
            ],
        },
    )
    assert response.status_code == 201, response.content
    return item["id"]


def fresh() -> None:
    make_fresh()
    VaultItem.objects.all().delete()


@pytest.mark.parametrize("secrets", [False, True])
def test_round_trip_into_a_fresh_database(configured, tmp_path, secrets):
    args = ("--include-secrets",) if secrets else ()
    path = export(tmp_path, *args)
    text = path.read_text()
    document = yaml.safe_load(text)
    assert document["vault"] == [
        {
            "id": configured,
            "name": "ops",
            "username": "svc",
            "description": "",
            **({"password": PASSWORD, "secret": SECRET} if secrets else {}),
        }
    ]
    signed = next(i for i in document["integrations"] if i["name"] == "Signed")
    assert [f["name"] for f in signed["functions"]] == ["Severity", "Code", "Sign", "VaultSign"]
    assert signed["steps"][0]["auth_type"] == "digest"
    for secret in (PASSWORD, SECRET, HASH_KEY):
        assert (secret in text) is secrets
    before = build_document(include_secrets=secrets)
    fresh()
    output = apply(path)
    assert "create vault item ops" in output
    if not secrets:
        assert "change vault item ops: (password not set)" in output
        assert "functions[Sign] (key not set)" in output
    assert build_document(include_secrets=secrets) == before
    assert export(tmp_path, *args, name="again.yaml").read_text() == text
    item = VaultItem.objects.get()
    assert str(item.pk) == configured
    if secrets:
        assert (item.password, item.secret) == (PASSWORD, SECRET)
        assert IntegrationFunction.objects.get(name="Sign").hash_key == HASH_KEY
    assert apply(path) == "No changes.\n"


def test_secrets_left_out_are_kept_and_changes_are_applied(configured, tmp_path):
    document = yaml.safe_load(export(tmp_path).read_text())
    document["vault"][0]["username"] = "svc-2"
    signed = next(i for i in document["integrations"] if i["name"] == "Signed")
    signed["functions"][0]["mapping"] = [["Alert", "P1"], ["Reminder", "P2"]]
    signed["functions"].pop(1)  # Code is no longer used once the body stops calling it
    signed["steps"][0]["body"] = '{"p": "{{Severity({{@alert.type}})}}"}'
    path = tmp_path / "edited.yaml"
    path.write_text(yaml.safe_dump(document))
    output = apply(path)
    assert "change vault item ops: username" in output
    assert "functions[Severity]" in output and "functions[Code] (deleted)" in output
    item = VaultItem.objects.get()
    assert (item.username, item.password, item.secret) == ("svc-2", PASSWORD, SECRET)
    assert IntegrationFunction.objects.get(name="Sign").hash_key == HASH_KEY
    assert IntegrationFunction.objects.get(name="Severity").mapping == [["Alert", "P1"], ["Reminder", "P2"]]


def test_bad_documents_are_refused_with_the_place(configured, tmp_path):
    document = yaml.safe_load(export(tmp_path).read_text())
    signed = next(i for i in document["integrations"] if i["name"] == "Signed")
    signed["functions"][1]["pattern"] = "(unclosed"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(CommandError, match=r"integrations\[Signed\]\.functions\[1\]\.pattern: Not a valid"):
        apply(path)
    signed["functions"][1]["pattern"] = r"(\d+)"
    signed["steps"][0]["body"] = "{{Missing(x)}}"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(CommandError, match="unknown function Missing"):
        apply(path)
    assert IntegrationStep.objects.get().body.startswith('{"p"')
    document["vault"][0]["pin"] = "1"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(CommandError, match=r"vault\[ops\]: unknown field\(s\) pin"):
        apply(path)
