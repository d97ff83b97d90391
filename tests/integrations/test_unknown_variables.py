"""Bodies published for Uptrends users are saved (issue 15): an unknown ``@``
variable is kept with a warning and renders empty, a known alias renders as
its target, and an invisible character inside ``{{…}}`` is dropped with a
warning instead of being a baffling error."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from alerting.models import ApiKey
from integrations import catalogue
from integrations.models import Integration, IntegrationKind, IntegrationStep, IntegrationVariable
from integrations.sending import send_test
from integrations.templating import check, render, validate
from tests.admin.test_integration_editor import change_form_data, preset_integration

ZWNJ = "\u200c"
# The part of Spike.sh's published Uptrends body that trips a strict editor,
# plus the KB's own spelling of @alert.responseHeaders (a zero-width non-joiner after "@").
SPIKE_BODY = (
    '{"account": {"id": "{{@account.id}}"}, "alert": {"type": "{{@alert.type}}", '
    f'"headers": "{{{{@JsonEncode({{{{@{ZWNJ}alert.responseHeaders}}}})}}}}", '
    '"region": "{{@probe.region}}"}}'
)


def test_the_renderer() -> None:
    context = {"@account.accountId": "299840", "@alert.type": "Ok", "@alert.responseHeaders": 'a: "b"'}
    assert render(SPIKE_BODY, context) == (
        '{"account": {"id": "299840"}, "alert": {"type": "Ok", "headers": "a: \\"b\\"", "region": ""}}'
    )
    # Only names are cleaned: a zero-width joiner inside an emoji in text stays.
    family = "👨\u200d👩\u200d👧"
    assert render(f"{{{{@JsonEncode({family} {{{{@ale{ZWNJ}rt.type}}}})}}}}", context) == f"{family} Ok"


def test_check_sorts_warnings_from_errors() -> None:
    report = check(SPIKE_BODY + " {{ApiUlr}}", ["ApiUrl"])
    assert [e.message for e in report.errors] == ["unknown variable ApiUlr (did you mean ApiUrl?)"]
    assert [(w.token, w.message) for w in report.warnings] == [
        (
            "{{@account.id}}",
            "@account.id is not an Uptrends system variable; it is read as @account.accountId, "
            "the name to use",
        ),
        ("", "an invisible character (U+200C, zero width non-joiner) inside {{…}} is ignored; delete it"),
        ("{{@probe.region}}", "unknown system variable @probe.region; it is kept and renders empty"),
    ]
    assert validate(SPIKE_BODY) == []
    # Functions are not variables: an unknown one is still an error.
    assert validate("{{@Lower({{@alert.type}})}}")[0].message.startswith("unknown function @Lower")


def custom_body(body: str) -> dict:
    return {
        "name": "Spike",
        "kind": "webhook",
        "variables": [{"name": "ApiUrl", "value": "https://hooks.example.com/uptrends"}],
        "steps": [{"name": "All", "url": "{{ApiUrl}}", "body": body}],
    }


@pytest.fixture
def api(db) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {ApiKey.generate('admin key', 'admin')[1]}")
    return client


def post(api: APIClient, path: str, data: dict):
    return api.post(f"/api/v1/{path}", json.dumps(data), content_type="application/json")


def test_the_api_saves_the_published_body_and_answers_with_warnings(api) -> None:
    created = post(api, "integrations", custom_body(SPIKE_BODY))
    assert created.status_code == 201, created.content
    warnings = created.json()["warnings"]
    assert len(warnings) == 3
    assert warnings[0].startswith("step 1 body: {{@account.id}} at line 1, column 21: @account.id is not")
    assert warnings[1] == (
        "step 1 body: line 1, column 106: an invisible character (U+200C, zero width non-joiner) inside "
        "{{…}} is ignored; delete it"
    )
    assert "unknown system variable @probe.region" in warnings[2]
    integration = Integration.objects.get(name="Spike")
    assert integration.steps.get().body == SPIKE_BODY  # saved as pasted

    shown = api.get(f"/api/v1/integrations/{integration.pk}").json()
    assert shown["warnings"] == warnings
    clean = post(api, "integrations", {**custom_body('{"t": "{{@alert.type}}"}'), "name": "Clean"})
    assert clean.status_code == 201 and clean.json()["warnings"] == []


def test_the_published_body_sends(db, receiver) -> None:
    receiver.expect_request("/uptrends", method="POST").respond_with_data("ok")
    integration = Integration.objects.create(name="Spike", kind=IntegrationKind.WEBHOOK)
    IntegrationVariable.objects.create(
        integration=integration, name="ApiUrl", value=receiver.url_for("/uptrends")
    )
    IntegrationStep.objects.create(integration=integration, url="{{ApiUrl}}", body=SPIKE_BODY)
    send_test(integration, "Reminder")
    examples = catalogue.example_values("Reminder")
    assert receiver.log[-1][0].get_json() == {
        "account": {"id": examples["@account.accountId"]},
        "alert": {"type": "Reminder", "headers": examples["@alert.responseHeaders"], "region": ""},
    }


def test_the_admin_saves_and_shows_the_warnings(staff_client) -> None:
    integration = preset_integration("https://hooks.example.com/uptrends")
    data = change_form_data(staff_client, integration)
    data["customized"] = "on"
    data["steps-0-body"] = SPIKE_BODY
    url = reverse("admin:integrations_integration_change", args=[integration.pk])
    response = staff_client.post(url, data, follow=True)
    assert response.redirect_chain, "the form was refused"
    assert integration.steps.get().body == SPIKE_BODY
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 3 and "@account.id is not an Uptrends system variable" in warnings[0]
    assert '<li class="warning">' in response.content.decode()
