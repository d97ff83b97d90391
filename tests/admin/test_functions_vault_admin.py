"""The admin: user-defined functions on the integration page, the vault, the
Digest auth type and the variables panel."""

from __future__ import annotations

from django.db import connection
from django.urls import reverse

from integrations import provisioning
from integrations.models import IntegrationFunction, IntegrationStep, VaultItem
from integrations.sending import build_test_message
from tests.admin.test_integration_editor import _debug, change_form_data, preset_integration

KEY = "hmac-key-9f8e7d6c5b4a"


def change_url(integration) -> str:  # type: ignore[no-untyped-def]
    return reverse("admin:integrations_integration_change", args=[integration.pk])


def with_function(data: dict[str, object], index: int = 0, **fields: str) -> dict[str, object]:
    data["functions-TOTAL_FORMS"] = str(index + 1)
    data.setdefault("functions-INITIAL_FORMS", "0")
    data.update(
        {f"functions-{index}-{k}": v for k, v in {"encoding": "hex", "position": "0", **fields}.items()}
    )
    return data


def test_functions_added_on_the_page_are_known_to_the_steps(staff_client) -> None:
    integration = preset_integration("https://hooks.example.com/in")
    data = change_form_data(staff_client, integration)
    with_function(data, 0, name="Severity", kind="mapping", mapping="Alert => P1\nOk=>P5", default_value="P3")
    with_function(data, 1, name="Sign", kind="hash", algorithm="hmac-sha256", hash_key=KEY)
    data["steps-0-headers"] = '[["X-Sig", "{{Sign({{@alert.type}})}}"]]'
    data["steps-0-body"] = '{"p": "{{Severity({{@alert.type}})}}"}'
    response = staff_client.post(change_url(integration), data)
    assert response.status_code == 302, _debug(response)
    severity = IntegrationFunction.objects.get(name="Severity")
    assert severity.mapping == [["Alert", "P1"], ["Ok", "P5"]] and severity.default_value == "P3"
    assert IntegrationFunction.objects.get(name="Sign").hash_key == KEY
    with connection.cursor() as cursor:
        cursor.execute("SELECT hash_key FROM integrations_integrationfunction WHERE name = 'Sign'")
        assert cursor.fetchone()[0].startswith("enc:v1:")
    out = build_test_message(integration, "Alert")
    assert out.functions["Sign"].key == KEY

    page = staff_client.get(change_url(integration)).content.decode()
    assert KEY not in page
    assert "Alert =&gt; P1" in page  # the mapping as lines
    assert "{{Severity()}}" in page  # in the panel's "This integration" list
    # Saved again unchanged (the key field left empty): the key is kept.
    again = change_form_data(staff_client, integration)
    assert staff_client.post(change_url(integration), again).status_code == 302
    assert IntegrationFunction.objects.get(name="Sign").hash_key == KEY
    assert build_test_message(integration, "Alert").functions["Sign"].key == KEY


def test_unknown_function_and_bad_function_are_form_errors(staff_client) -> None:
    integration = preset_integration("https://hooks.example.com/in")
    data = change_form_data(staff_client, integration)
    with_function(data, 0, name="Code", kind="regex", pattern="(unclosed")
    data["steps-0-body"] = '{"p": "{{Cod({{@alert.description}})}}"}'
    page = staff_client.post(change_url(integration), data)
    assert page.status_code == 200
    formsets = {fs.formset.prefix: fs.formset for fs in page.context["inline_admin_formsets"]}
    body_errors = formsets["steps"].forms[0].errors["body"]
    assert any("unknown function Cod (did you mean Code?)" in e for e in body_errors)
    assert "Not a valid regular expression" in formsets["functions"].forms[0].errors["pattern"][0]
    assert not IntegrationFunction.objects.exists()


def test_deleting_a_function_a_step_uses_is_a_form_error(staff_client) -> None:
    integration = preset_integration("https://hooks.example.com/in")
    IntegrationFunction.objects.create(
        integration=integration, name="Up", kind="mapping", mapping=[["a", "A"]]
    )
    IntegrationStep.objects.filter(integration=integration).update(body='{"x": "{{Up(a)}}"}')
    data = change_form_data(staff_client, integration)
    data["functions-0-DELETE"] = "on"
    page = staff_client.post(change_url(integration), data)
    assert page.status_code == 200
    assert "unknown function Up" in page.content.decode()
    assert IntegrationFunction.objects.filter(name="Up").exists()


def test_digest_auth_with_vault_references(staff_client) -> None:
    item = VaultItem.objects.create(name="ops", username="svc", password="vault-pw-0a1b2c")
    integration = preset_integration("https://hooks.example.com/in")
    data = change_form_data(staff_client, integration)
    data["steps-0-auth_type"] = "digest"
    data["steps-0-auth_username"] = "{{@VaultItem." + str(item.pk) + ".Username}}"
    data["steps-0-auth_password"] = "{{@VaultItem." + str(item.pk) + ".Password}}"
    response = staff_client.post(change_url(integration), data)
    assert response.status_code == 302, _debug(response)
    step = integration.steps.get()
    assert step.auth_type == "digest"
    data["steps-0-auth_password"] = "{{@VaultItem.0b1c2d3e-0000-4000-8000-000000000001.Password}}"
    page = staff_client.post(change_url(integration), data)
    assert page.status_code == 200
    assert "unknown vault item 0b1c2d3e-0000-4000-8000-000000000001" in page.content.decode()


def test_vault_admin_is_write_only_and_protects_items_in_use(staff_client) -> None:
    add = reverse("admin:integrations_vaultitem_add")
    response = staff_client.post(
        add, {"name": "ops", "username": "svc", "password": "vault-pw-0a1b2c", "secret": "vault-secret-3d4e"}
    )
    assert response.status_code == 302, _debug(response)
    item = VaultItem.objects.get()
    assert (item.password, item.secret) == ("vault-pw-0a1b2c", "vault-secret-3d4e")
    with connection.cursor() as cursor:
        cursor.execute("SELECT username, password, secret FROM integrations_vaultitem")
        assert all(value.startswith("enc:v1:") for value in cursor.fetchone())
    change = reverse("admin:integrations_vaultitem_change", args=[item.pk])
    page = staff_client.get(change).content.decode()
    assert "vault-pw-0a1b2c" not in page and "vault-secret-3d4e" not in page
    assert "{{@VaultItem." + str(item.pk) + ".Password}}" in page
    listing = staff_client.get(reverse("admin:integrations_vaultitem_changelist")).content.decode()
    assert "vault-pw" not in listing and "ops" in listing
    # An empty password field keeps the password.
    response = staff_client.post(change, {"name": "ops", "username": "svc2", "password": "", "secret": ""})
    assert response.status_code == 302, _debug(response)
    item.refresh_from_db()
    assert (item.username, item.password) == ("svc2", "vault-pw-0a1b2c")

    integration = preset_integration("https://hooks.example.com/in")
    IntegrationStep.objects.filter(integration=integration).update(
        headers=[["X-Key", "{{@VaultItem." + str(item.pk).upper() + ".Secret}}"]]
    )
    delete = reverse("admin:integrations_vaultitem_delete", args=[item.pk])
    response = staff_client.post(delete, {"post": "yes"}, follow=True)
    assert "is used by Receiver" in response.content.decode()
    assert VaultItem.objects.filter(pk=item.pk).exists()
    IntegrationStep.objects.filter(integration=integration).update(headers=[])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 302
    assert not VaultItem.objects.exists()


def test_panel_lists_user_functions_vault_items_and_auth_types(staff_client) -> None:
    item = VaultItem.objects.create(name="Ops account", password="x-secret-1")
    integration = preset_integration("https://hooks.example.com/in")
    html = staff_client.get(change_url(integration)).content.decode()
    assert "User-defined functions" in html and "Regular expression function" in html
    assert "Vault references" in html and "{{@VaultItem.&lt;id&gt;.Password}}" in html
    assert "Ops account" in html and "{{@VaultItem." + str(item.pk) + ".Password}}" in html
    assert "x-secret-1" not in html
    assert '<option value="digest">Digest</option>' in html
    assert "Authentication types" in html and "RFC 7616" in html


def test_an_email_subject_may_call_a_function_added_on_the_same_page(staff_client) -> None:
    from integrations.models import Integration

    integration = Integration.objects.create(name="Mail", kind="email")
    provisioning.ensure_kind_variables(integration)
    data = change_form_data(staff_client, integration)
    index = next(
        key.split("-")[1] for key, value in data.items() if key.endswith("-name") and value == "SubjectAlert"
    )
    data[f"variables-{index}-value"] = "[{{Severity({{@alert.type}})}}] {{@monitor.name}}"
    with_function(data, 0, name="Severity", kind="mapping", mapping="Alert => P1", default_value="P3")
    response = staff_client.post(change_url(integration), data)
    assert response.status_code == 302, _debug(response)
    assert integration.variables.get(name="SubjectAlert").value.startswith("[{{Severity(")
