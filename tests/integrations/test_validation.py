"""Model-level validation the admin and the API call."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from integrations.models import Integration, IntegrationStep
from integrations.provisioning import apply_preset
from integrations.template_warnings import integration_warnings

pytestmark = pytest.mark.django_db


def uptrends() -> Integration:
    return apply_preset(Integration(name="u"), "uptrends")


def test_misspelt_integration_variable_is_refused_at_the_field() -> None:
    step = uptrends().steps.get()
    step.body = step.body.replace("{{@monitor.notes}}", "{{ApiUlr}}")
    with pytest.raises(ValidationError) as caught:
        step.full_clean()
    messages = caught.value.message_dict["body"]
    assert any("{{ApiUlr}}" in m and "did you mean ApiUrl" in m and "line" in m for m in messages)


def test_misspelt_system_variable_is_saved_with_a_warning() -> None:
    integration = uptrends()
    step = integration.steps.get()
    step.body = step.body.replace("{{@monitor.notes}}", "{{@monitor.notse}}")
    step.full_clean()  # no error: Uptrends renders such bodies
    step.save()
    [warning] = integration_warnings(integration)
    assert warning.startswith("step 1 body: {{@monitor.notse}} at line ")
    assert "unknown system variable @monitor.notse (did you mean @monitor.notes?)" in warning


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("url", "{{ApiUlr}}", "{{ApiUlr}}"),
        ("url", "{{ApiUrl", "unbalanced braces"),
        ("auth_username", "{{@Lower({{ApiUrl}})}}", "unknown function @Lower"),
    ],
)
def test_step_field_errors(field: str, value: str, words: str) -> None:
    step = uptrends().steps.get()
    setattr(step, field, value)
    with pytest.raises(ValidationError) as caught:
        step.full_clean()
    assert any(words in m for m in caught.value.message_dict[field])


def test_header_template_errors_and_names() -> None:
    step = uptrends().steps.get()
    step.headers = [["X-A", "{{Nope}}"], ["Bad Name", "x"]]
    with pytest.raises(ValidationError) as caught:
        step.full_clean()
    messages = caught.value.message_dict["headers"]
    assert any("{{Nope}}" in m for m in messages) and any("Bad Name" in m for m in messages)


def test_secret_fields_are_not_quoted_in_errors() -> None:
    step = uptrends().steps.get()
    step.auth_type = "basic"
    step.auth_username = "u"
    step.auth_password = "hunter2{{oops"
    with pytest.raises(ValidationError) as caught:
        step.full_clean()
    assert all("hunter2" not in m for m in caught.value.message_dict["auth_password"])


def test_admin_can_pass_unsaved_variable_names() -> None:
    integration = uptrends()
    step = IntegrationStep(
        integration=integration,
        position=2,
        url="{{NewVar}}",
        handles_alert=False,
        handles_ok=False,
        handles_reminder=True,
    )
    step.known_variable_names = {"NewVar"}
    step.clean()


@pytest.mark.parametrize(
    "url",
    [
        "https://contoso.webhook.office.com/webhookb2/abc@def/IncomingWebhook/123/456",
        "https://outlook.office.com/webhook/abc/IncomingWebhook/def",
    ],
)
def test_teams_connector_urls_are_refused(url: str) -> None:
    integration = apply_preset(Integration(name="t"), "microsoft-teams")
    variable = integration.variables.get(name="WorkflowUrl")
    variable.secret_value = url
    with pytest.raises(ValidationError) as caught:
        variable.full_clean()
    assert "retired" in str(caught.value) and "Workflow" in str(caught.value)
    variable.secret_value = (
        "https://prod-12.westeurope.logic.azure.com/workflows/x/triggers/manual/paths/invoke?sig=y"
    )
    variable.full_clean()


def test_variable_choices_and_required() -> None:
    integration = apply_preset(Integration(name="o"), "opsgenie")
    base = integration.variables.get(name="ApiBaseUrl")
    assert base.value == "https://api.opsgenie.com"
    base.value = "https://evil.example.com"
    with pytest.raises(ValidationError, match="Choose one of"):
        base.full_clean()
    key = integration.variables.get(name="ApiKey")
    with pytest.raises(ValidationError, match="needs a value"):
        key.full_clean()


def test_apply_preset_keeps_entered_values_and_replaces_steps() -> None:
    integration = uptrends()
    variable = integration.variables.get(name="ApiUrl")
    variable.value = "https://example.com/in"
    variable.save()
    apply_preset(integration, "uptrends")
    assert integration.variables.get(name="ApiUrl").value == "https://example.com/in"
    assert (
        integration.steps.count() == 1 and integration.kind == "webhook" and integration.preset == "uptrends"
    )


def test_unknown_preset_and_short_signing_secrets() -> None:
    integration = Integration(name="x", kind="webhook", preset="nope")
    with pytest.raises(ValidationError):
        integration.clean()
    integration = Integration(name="x", kind="webhook", signing_secrets=["short"])
    with pytest.raises(ValidationError, match="16 characters"):
        integration.clean()
