"""The API for user-defined functions, the vault and the auth types."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from alerting.models import ApiKey
from integrations.models import Integration, IntegrationFunction, VaultItem

pytestmark = pytest.mark.django_db


def client_for(scope: str) -> APIClient:
    _, raw = ApiKey.generate(f"{scope} key", scope)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def functions() -> list[dict]:
    return [
        {"name": "Severity", "kind": "mapping", "mapping": [["Alert", "critical"]], "default_value": "info"},
        {"name": "Code", "kind": "regex", "pattern": r"HTTP (\d+)"},
        {"name": "Sign", "kind": "hash", "algorithm": "hmac-sha256", "hash_key": "k3y-value-0001"},
    ]


def integration_body(**step: object) -> dict:
    return {
        "name": "hook",
        "kind": "webhook",
        "functions": functions(),
        "steps": [
            {
                "url": "https://hooks.example.com/in",
                "body": '{"s": "{{Severity({{@alert.type}})}}", "c": "{{Code({{@alert.description}})}}"}',
                "headers": [["X-Sig", "{{Sign({{@incident.key}})}}"]],
                **step,
            }
        ],
    }


def test_functions_are_created_and_the_key_is_write_only() -> None:
    response = client_for("admin").post("/api/v1/integrations", integration_body(), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    by_name = {f["name"]: f for f in data["functions"]}
    assert by_name["Severity"]["mapping"] == [["Alert", "critical"]]
    assert by_name["Sign"]["hash_key_set"] is True and "hash_key" not in by_name["Sign"]
    assert "k3y-value-0001" not in response.content.decode()
    stored = IntegrationFunction.objects.get(name="Sign")
    assert stored.hash_key == "k3y-value-0001"
    # Encrypted at rest.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT hash_key FROM integrations_integrationfunction WHERE id = %s", [stored.pk])
        assert cursor.fetchone()[0].startswith("enc:v1:")


def test_put_without_the_key_keeps_it_and_read_shows_functions() -> None:
    admin = client_for("admin")
    created = admin.post("/api/v1/integrations", integration_body(), format="json").json()
    body = integration_body()
    del body["functions"][2]["hash_key"]
    response = admin.put(f"/api/v1/integrations/{created['id']}", body, format="json")
    assert response.status_code == 200, response.content
    assert IntegrationFunction.objects.get(name="Sign").hash_key == "k3y-value-0001"
    read = client_for("read").get(f"/api/v1/integrations/{created['id']}").json()
    assert [f["name"] for f in read["functions"]] == ["Severity", "Code", "Sign"]


def test_unknown_function_in_a_step_is_a_400_at_the_field() -> None:
    body = integration_body(body='{"s": "{{Severty({{@alert.type}})}}"}')
    response = client_for("admin").post("/api/v1/integrations", body, format="json")
    assert response.status_code == 400
    message = response.json()["errors"]["steps"]["0"]["body"][0]
    assert "unknown function Severty (did you mean Severity?)" in message
    assert not Integration.objects.filter(name="hook").exists()


@pytest.mark.parametrize(
    ("function", "field", "text"),
    [
        ({"name": "R", "kind": "regex", "pattern": "(unclosed"}, "pattern", "Not a valid regular expression"),
        ({"name": "R", "kind": "regex", "pattern": "(a+)+$"}, "pattern", "backtracks catastrophically"),
        ({"name": "H", "kind": "hash", "algorithm": "hmac-sha1"}, "hash_key", "HMAC-SHA1 needs a key"),
        ({"name": "H", "kind": "hash"}, "algorithm", "Choose the hash algorithm"),
        ({"name": "H", "kind": "hash", "algorithm": "md5", "hash_key": "x"}, "hash_key", "Only the HMAC"),
        ({"name": "M", "kind": "mapping", "mapping": []}, "mapping", "at least one row"),
        (
            {"name": "M", "kind": "mapping", "mapping": [["a", "1"], ["a", "2"]]},
            "mapping",
            "Each input may appear once",
        ),
        ({"name": "1x", "kind": "mapping", "mapping": [["a", "1"]]}, "name", "letters, digits"),
        (
            {"name": "H", "kind": "hash", "algorithm": "hmac-sha256", "hash_key": "{{@alert.type}}"},
            "hash_key",
            "text and vault references",
        ),
    ],
)
def test_bad_functions_are_400s(function: dict, field: str, text: str) -> None:
    body = {"name": "hook", "kind": "webhook", "functions": [function]}
    response = client_for("admin").post("/api/v1/integrations", body, format="json")
    assert response.status_code == 400, response.content
    assert text in json.dumps(response.json()["errors"]["functions"]["0"][field])


def test_removing_a_function_a_step_uses_is_refused() -> None:
    admin = client_for("admin")
    created = admin.post("/api/v1/integrations", integration_body(), format="json").json()
    response = admin.patch(
        f"/api/v1/integrations/{created['id']}", {"functions": functions()[1:]}, format="json"
    )
    assert response.status_code == 400
    assert "unknown function Severity" in json.dumps(response.json()["errors"]["functions"])
    assert IntegrationFunction.objects.filter(name="Severity").exists()


def test_vault_crud_is_admin_only_and_write_only() -> None:
    assert client_for("read").get("/api/v1/vault").status_code == 403
    assert APIClient().get("/api/v1/vault").status_code == 401
    admin = client_for("admin")
    response = admin.post(
        "/api/v1/vault",
        {"name": "ops", "username": "svc", "password": "pa55-word-1", "secret": "hmac-secret-1"},
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    item_id = data["id"]
    assert data["password_set"] is True and data["secret_set"] is True and data["username"] == "svc"
    assert "pa55-word-1" not in response.content.decode() and "hmac-secret-1" not in response.content.decode()
    assert data["references"]["Password"] == "{{@VaultItem." + item_id + ".Password}}"
    assert response["Location"].endswith(f"/api/v1/vault/{item_id}")
    listed = admin.get("/api/v1/vault").json()
    assert listed["count"] == 1 and "pa55" not in json.dumps(listed)
    # PATCH without the password keeps it; "" clears the secret.
    assert admin.patch(f"/api/v1/vault/{item_id}", {"secret": ""}, format="json").status_code == 200
    item = VaultItem.objects.get(pk=item_id)
    assert item.password == "pa55-word-1" and item.secret == ""
    assert admin.post("/api/v1/vault", {"name": "ops"}, format="json").status_code == 400  # unique name
    assert client_for("read").delete(f"/api/v1/vault/{item_id}").status_code == 403
    assert admin.delete(f"/api/v1/vault/{item_id}").status_code == 204


def test_vault_references_in_steps_are_checked_and_protect_the_item() -> None:
    admin = client_for("admin")
    item = VaultItem.objects.create(name="ops", username="svc", password="pa55-word-1")
    missing = "0b1c2d3e-0000-4000-8000-000000000001"
    bad = integration_body(
        auth_type="basic", auth_username="svc", auth_password="{{@VaultItem." + missing + ".Password}}"
    )
    response = admin.post("/api/v1/integrations", bad, format="json")
    assert response.status_code == 400
    assert f"unknown vault item {missing}" in json.dumps(
        response.json()["errors"]["steps"]["0"]["auth_password"]
    )
    good = integration_body(
        auth_type="digest",
        auth_username="{{@VaultItem." + str(item.pk) + ".Username}}",
        auth_password="{{@VaultItem." + str(item.pk) + ".Password}}",
    )
    response = admin.post("/api/v1/integrations", good, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["steps"][0]["auth_type"] == "digest"
    refused = admin.delete(f"/api/v1/vault/{item.pk}")
    assert refused.status_code == 400
    assert "used by the integration hook" in refused.json()["errors"]["detail"][0]
    assert VaultItem.objects.filter(pk=item.pk).exists()


def test_digest_needs_a_username() -> None:
    body = integration_body(auth_type="digest", auth_password="x")
    response = client_for("admin").post("/api/v1/integrations", body, format="json")
    assert response.status_code == 400
    assert "Digest authentication needs a username." in json.dumps(response.json()["errors"])


def test_variables_lists_user_functions_vault_and_auth_types() -> None:
    item = VaultItem.objects.create(name="ops", password="pa55-word-1")
    admin = client_for("admin")
    created = admin.post("/api/v1/integrations", integration_body(), format="json").json()
    data = client_for("read").get(f"/api/v1/variables?integration={created['id']}").json()
    kinds = {i["key"] for i in data["variables"] if i["kind"] == "user_function"}
    assert kinds == {"mapping", "regex", "hash"}
    vault = {i["name"] for i in data["variables"] if i["kind"] == "vault"}
    assert vault == {"@VaultItem.<id>.Username", "@VaultItem.<id>.Password", "@VaultItem.<id>.Secret"}
    assert [a["value"] for a in data["auth_types"]] == ["none", "basic", "digest", "ntlm", "bearer"]
    own = {i["name"]: i for i in data["integration"]}
    assert own["Sign"]["kind"] == "hash" and own["Sign"]["token"] == "{{Sign({{@alert.description}})}}"
    assert "vault_items" not in data  # read keys do not see the vault's names
    as_admin = admin.get("/api/v1/variables").json()
    assert as_admin["vault_items"] == [
        {
            "id": str(item.pk),
            "name": "ops",
            "references": {
                f: "{{@VaultItem." + str(item.pk) + "." + f + "}}" for f in ("Username", "Password", "Secret")
            },
        }
    ]
    assert "pa55" not in json.dumps(as_admin)
    assert client_for("read").get("/api/v1/variables?integration=nope").status_code == 400


def test_an_email_subject_may_call_a_function_sent_with_it() -> None:
    body = {
        "name": "Mail",
        "kind": "email",
        "functions": [{"name": "Severity", "kind": "mapping", "mapping": [["Alert", "P1"]]}],
        "variables": [{"name": "SubjectAlert", "value": "[{{Severity({{@alert.type}})}}] {{@monitor.name}}"}],
    }
    response = client_for("admin").post("/api/v1/integrations", body, format="json")
    assert response.status_code == 201, response.content
    body["name"], body["functions"] = "Mail 2", []
    refused = client_for("admin").post("/api/v1/integrations", body, format="json")
    assert refused.status_code == 400
    assert "unknown function Severity" in json.dumps(refused.json()["errors"]["variables"])
