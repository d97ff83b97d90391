"""User-defined functions and vault references in the editor, in a real browser."""

from __future__ import annotations

import pytest

from integrations import provisioning
from integrations.models import (
    Integration,
    IntegrationFunction,
    IntegrationKind,
    IntegrationVariable,
    VaultItem,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_wrap_in_a_user_function_insert_a_vault_reference_and_preview(page) -> None:
    integration = Integration.objects.create(name="Receiver", kind=IntegrationKind.WEBHOOK)
    provisioning.apply_preset(integration, "uptrends")
    integration.customized = True
    integration.save()
    IntegrationVariable.objects.filter(integration=integration, name="ApiUrl").update(
        value="http://127.0.0.1:9/hook"
    )
    IntegrationFunction.objects.create(
        integration=integration,
        name="Severity",
        kind="mapping",
        mapping=[["Alert", "P1"]],
        default_value="P3",
    )
    item = VaultItem.objects.create(name="Ops account", username="svc", password="vault-pw-a1b2c3")
    page.goto(f"{page.base}/admin/integrations/integration/{integration.pk}/change/")

    # Select a variable in the body, then click the function: it wraps the selection.
    body = page.locator("textarea[name=steps-0-body]")
    body.fill('{"p": "{{@alert.type}}"}')
    body.evaluate("el => { el.focus(); el.setSelectionRange(7, 22); }")
    page.click("#variable-panel button[data-function='Severity']")
    assert body.input_value() == '{"p": "{{Severity({{@alert.type}})}}"}'

    # A vault reference goes into the authentication password field.
    page.select_option("select[name=steps-0-auth_type]", "digest")
    page.fill("input[name=steps-0-auth_username]", "svc")
    password = page.locator("input[name=steps-0-auth_password]")
    password.focus()
    token = "{{@VaultItem." + str(item.pk) + ".Password}}"
    page.click(f"#variable-panel button[data-token='{token}']")
    assert password.input_value() == token

    page.click("#preview-button")
    result = page.locator("#test-result")
    text = result.inner_text()
    assert '"p": "P1"' in text
    assert "Digest ********" in text and "vault-pw-a1b2c3" not in text
    # The preview rendered the form as it stands; only Save writes it.
    assert integration.steps.get().auth_type == "none"
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    step = integration.steps.get()
    assert step.auth_type == "digest" and step.auth_password == token
    assert step.body == '{"p": "{{Severity({{@alert.type}})}}"}'
