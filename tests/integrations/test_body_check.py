"""The editor's JSON / XML check (issue 15): a body is rendered with hostile
sample values, and each placeholder that can break it is named with its fix;
the API answers carry the same warnings."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from alerting.models import ApiKey
from integrations import presets
from integrations.body_check import body_format, check_body
from integrations.templating import render
from tests.integrations.hostile import values as hostile_values

NAKED = '{"text": "{{@alert.description}}", "key": "{{@incident.key}}",\n "who": "{{@monitor.name}}"}'


def test_format_follows_the_content_type_and_a_header_that_overrides_it() -> None:
    assert body_format("application/json") == "JSON"
    assert body_format("application/vnd.api+json; charset=utf-8") == "JSON"
    assert body_format("text/xml") == "XML"
    assert body_format("application/soap+xml") == "XML"
    assert body_format("application/x-www-form-urlencoded") == ""
    assert body_format("application/json", [["Content-Type", "text/plain"]]) == ""


def test_naked_free_text_placeholders_are_named_with_their_fix() -> None:
    report = check_body(NAKED, "application/json", known_variable_names=set())
    assert report.format == "JSON" and not report.error
    # The incident key is made by the hub: it never holds a quote.
    assert [f.token for f in report.findings] == ["{{@alert.description}}", "{{@monitor.name}}"]
    assert report.messages() == [
        "{{@alert.description}} at line 1, column 11: a double quote, a backslash or a line break in its "
        "value makes the body invalid JSON; write {{@JsonEncode({{@alert.description}})}}",
        "{{@monitor.name}} at line 2, column 10: a double quote, a backslash or a line break in its value "
        "makes the body invalid JSON; write {{@JsonEncode({{@monitor.name}})}}",
    ]


def apply(report_dict: dict, text: str) -> str:
    """What the editor's button does: the edits, last first, on the base text
    (offsets in UTF-16 code units, as in the browser)."""
    units = text.encode("utf-16-le")
    edits = [e for f in report_dict["findings"] for e in f["edits"]]
    for start, end, new in sorted(edits, reverse=True):
        units = units[: start * 2] + new.encode("utf-16-le") + units[end * 2 :]
    return units.decode("utf-16-le")


def test_the_wrap_fixes_the_body_for_hostile_values() -> None:
    body = (
        '{"a": "🎉 {{@alert.description}}", "b": "{{@alert.description}}", '
        '"u": "{{@UrlEncode({{@monitor.name}})}}"}'
    )
    report = check_body(body, "application/json", known_variable_names=set()).as_dict()
    [finding] = report["findings"]
    assert len(finding["edits"]) == 2
    fixed = apply(report, report["base"])
    assert fixed == (
        '{"a": "🎉 {{@JsonEncode({{@alert.description}})}}", "b": "{{@JsonEncode({{@alert.description}})}}", '
        '"u": "{{@UrlEncode({{@monitor.name}})}}"}'
    )
    assert check_body(fixed, "application/json", known_variable_names=set()).messages() == []
    sent = json.loads(render(fixed, hostile_values("Alert")))
    assert sent["b"] == hostile_values("Alert")["@alert.description"]


def test_an_encoder_for_another_syntax_is_wrapped_too() -> None:
    report = check_body('{"x": "{{@XmlEncode({{@monitor.notes}})}}"}', "application/json")
    [finding] = report.findings
    assert finding.breaks_with == ["a backslash", "a line break"]
    assert finding.wrap == "{{@JsonEncode({{@XmlEncode({{@monitor.notes}})}})}}"


def test_a_body_broken_for_any_value_says_so_and_offers_no_wrap() -> None:
    report = check_body('{"text": {{@alert.description}}}', "application/json")
    assert report.findings == []
    assert report.messages() == [
        "the body is not valid JSON even with plain sample values: Expecting value at line 1, column 10 "
        "of the rendered body"
    ]


def test_known_values_of_the_integration_are_used() -> None:
    body = '{"priority": "{{Priority}}", "custom": "{{@CustomField(Team)}}"}'
    report = check_body(body, "application/json", {"Priority": 'P"1'}, known_variable_names={"Priority"})
    assert report.error.startswith("Expecting ',' delimiter")
    report = check_body(body, "application/json", {"Priority": "P1"}, known_variable_names={"Priority"})
    assert [f.token for f in report.findings] == ["{{@CustomField(Team)}}"]  # custom fields are free text


def test_a_body_with_template_errors_is_left_to_the_errors() -> None:
    assert check_body('{"x": "{{Nope}}"}', "application/json", known_variable_names=set()).messages() == []


def test_xml_element_text_and_attributes() -> None:
    body = '<alert href="{{@monitor.url}}" key="{{@incident.key}}">{{@alert.description}}</alert>'
    report = check_body(body, "text/xml", known_variable_names=set())
    assert [(f.token, f.breaks_with) for f in report.findings] == [
        ("{{@monitor.url}}", ["a <", "an &", "a double quote"]),
        ("{{@alert.description}}", ["a <", "an &"]),
    ]
    fixed = apply(report.as_dict(), report.base)
    assert fixed == (
        '<alert href="{{@XmlEncode({{@monitor.url}})}}" key="{{@incident.key}}">'
        "{{@XmlEncode({{@alert.description}})}}</alert>"
    )
    assert check_body(fixed, "text/xml").messages() == []


def test_xml_entity_declarations_are_not_expanded() -> None:
    bomb = '<!DOCTYPE a [<!ENTITY x "xxxxxxxxxx"><!ENTITY y "&x;&x;&x;&x;">]><a>&y;{{@alert.description}}</a>'
    assert check_body(bomb, "application/xml").messages() == []


@pytest.mark.parametrize("slug", sorted(presets.presets()))
def test_every_preset_passes_its_own_check(slug: str) -> None:
    preset = presets.get(slug)
    names = {v.name for v in preset.variables}
    for step in preset.steps:
        report = check_body(
            step.get("body", ""),
            step.get("content_type", "application/json"),
            headers=step.get("headers", []),
            known_variable_names=names,
        )
        assert report.messages() == [], (slug, step.get("position"))


# --- The API ---------------------------------------------------------------------------


@pytest.fixture
def api(db) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {ApiKey.generate('admin key', 'admin')[1]}")
    return client


def integration(body: str, content_type: str = "application/json") -> dict:
    return {
        "name": "Hook",
        "kind": "webhook",
        "variables": [{"name": "ApiUrl", "value": "https://hooks.example.com/in"}],
        "steps": [{"name": "All", "url": "{{ApiUrl}}", "body": body, "content_type": content_type}],
    }


def test_the_api_saves_and_answers_with_the_same_warnings(api) -> None:
    created = api.post("/api/v1/integrations", integration(NAKED), format="json")
    assert created.status_code == 201, created.content
    expected = [f"step 1 body: {m}" for m in check_body(NAKED, "application/json").messages()]
    assert created.json()["warnings"] == expected
    pk = created.json()["id"]
    assert api.get(f"/api/v1/integrations/{pk}").json()["warnings"] == expected

    fixed = NAKED.replace("{{@alert.description}}", "{{@JsonEncode({{@alert.description}})}}").replace(
        "{{@monitor.name}}", "{{@JsonEncode({{@monitor.name}})}}"
    )
    changed = api.patch(
        f"/api/v1/integrations/{pk}", {"steps": [{"url": "{{ApiUrl}}", "body": fixed}]}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["warnings"] == []


def test_the_api_checks_xml_and_skips_other_types(api) -> None:
    xml = integration("<a>{{@alert.description}}</a>", "application/xml")
    answer = api.post("/api/v1/integrations", xml, format="json").json()
    assert answer["warnings"] == [
        "step 1 body: {{@alert.description}} at line 1, column 4: a < or an & in its value makes the body "
        "invalid XML; write {{@XmlEncode({{@alert.description}})}}"
    ]
    text = {**integration("Alert: {{@alert.description}}", "text/plain"), "name": "Plain"}
    assert api.post("/api/v1/integrations", text, format="json").json()["warnings"] == []
