"""Every preset, rendered with the catalogue's example values and sent to a
local receiver: method, path, headers and the parsed body."""

from __future__ import annotations

import base64
import json
from collections import Counter
from urllib.parse import parse_qs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from integrations import catalogue, presets
from integrations.captures import capture_names, chain_errors, definition_errors
from integrations.models import IntegrationStep
from integrations.sending import preview, send_test
from integrations.templating import render, validate
from tests.integrations.conftest import base_url

EXAMPLES = catalogue.example_values("Alert")
KEY = EXAMPLES["@incident.key"]


def last_request(server):
    assert server.log, "the receiver got no request"
    return server.log[-1][0]


def test_every_preset_is_valid_data() -> None:
    found = presets.presets()
    assert {
        "uptrends",
        "microsoft-teams",
        "opsgenie",
        "splunk-on-call",
        "servicenow",
        "statuspage",
        "zapier",
        "discord",
        "telegram",
        "google-chat",
        "mattermost",
        "ntfy",
        "pushover",
        "alertmanager",
    } <= set(found)
    for preset in found.values():
        steps = [IntegrationStep(**fields) for fields in preset.steps]
        names = [v.name for v in preset.variables] + sorted(capture_names(steps))
        for step in preset.steps:
            for field in ("url", "body", "auth_username", "auth_password", "auth_token"):
                assert validate(step[field], names) == [], (preset.slug, field)
            for _name, value in step["headers"]:
                assert validate(value, names) == []
            assert definition_errors(step["captures"]) == [], preset.slug
        # Each capture is used only by later steps that run for the same alert types.
        assert chain_errors(steps, [v.name for v in preset.variables]) == {}, preset.slug
        # One step sends each alert type; only ServiceNow's Ok looks the incident up first.
        handled = [t for s in preset.steps for t in ("alert", "ok", "reminder") if s[f"handles_{t}"]]
        chained = ["ok"] if preset.slug == "servicenow" else []
        assert Counter(handled) - Counter(set(handled)) == Counter(chained), preset.slug


def test_uptrends_preset_sends_all_38_variables(make_preset, receiver) -> None:
    receiver.expect_request("/hook", method="POST").respond_with_data("ok")
    integration = make_preset("uptrends", {"ApiUrl": receiver.url_for("/hook")})
    exchanges = send_test(integration, "Ok", 2)
    request = last_request(receiver)
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Idempotency-Key"].startswith("test-")
    body = json.loads(request.data)
    expected = catalogue.example_values("Ok", 2)
    for variable in catalogue.variables():
        assert body[variable.group][variable.key] == expected[variable.name], variable.name
    assert sum(len(group) for group in body.values()) == 38
    assert exchanges[0].status == 200 and exchanges[0].request["method"] == "POST"


def test_zapier_sends_the_full_body(make_preset, receiver) -> None:
    receiver.expect_request("/hooks/catch/1/abc/", method="POST").respond_with_json({"status": "success"})
    integration = make_preset("zapier", {"WebhookUrl": receiver.url_for("/hooks/catch/1/abc/")})
    exchanges = send_test(integration, "Alert")
    body = last_request(receiver).get_json()
    assert body["incident"]["key"] == KEY and body["alert"]["type"] == "Alert"
    assert "/hooks/catch/1/abc/" not in exchanges[0].request["url"]


@pytest.mark.parametrize(("alert_type", "colour"), [("Alert", "Attention"), ("Ok", "Good")])
def test_teams_adaptive_card(make_preset, receiver, alert_type: str, colour: str) -> None:
    receiver.expect_request("/workflows/run", method="POST").respond_with_data("", status=202)
    url = receiver.url_for("/workflows/run") + "?api-version=1&sig=s3cr3t-signature"
    integration = make_preset("microsoft-teams", {"WorkflowUrl": url})
    exchanges = send_test(integration, alert_type)
    request = last_request(receiver)
    assert request.args["sig"] == "s3cr3t-signature"
    body = request.get_json()
    assert body["type"] == "message"
    attachment = body["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["body"][0]["color"] == colour
    acknowledge = [("Action.OpenUrl", "Acknowledge", EXAMPLES["@incident.acknowledgeUrl"])]
    assert [(a["type"], a["title"], a["url"]) for a in card["actions"]] == [
        *(acknowledge if alert_type == "Alert" else []),
        ("Action.OpenUrl", "Monitor dashboard", EXAMPLES["@monitor.dashboardUrl"]),
        ("Action.OpenUrl", "First error", EXAMPLES["@alert.firstErrorCheckUrl"]),
        ("Action.OpenUrl", "Monitor settings", EXAMPLES["@monitor.editUrl"]),
    ]
    assert "s3cr3t-signature" not in json.dumps(exchanges[0].request)


def test_opsgenie_create_and_close_by_alias(make_preset, receiver) -> None:
    receiver.expect_request("/v2/alerts", method="POST").respond_with_json({"result": "x"}, status=202)
    close_path = f"/v2/alerts/{KEY}/close"
    receiver.expect_request(close_path, method="POST").respond_with_json({"result": "x"}, status=202)
    integration = make_preset("opsgenie", {"ApiKey": "genie-key-123", "ApiBaseUrl": base_url(receiver)})

    exchanges = send_test(integration, "Alert")
    request = last_request(receiver)
    assert request.headers["Authorization"] == "GenieKey genie-key-123"
    body = request.get_json()
    assert body["alias"] == KEY and body["priority"] == "P3" and body["source"] == "alertsite"
    assert 0 < len(body["message"]) <= 130
    assert exchanges[0].request["headers"]["Authorization"] == "GenieKey ********"

    send_test(integration, "Ok")
    request = last_request(receiver)
    assert request.path == close_path and request.args["identifierType"] == "alias"
    assert request.get_json()["source"] == "alertsite"


def test_opsgenie_offers_the_eu_endpoint() -> None:
    spec = presets.get("opsgenie").variable("ApiBaseUrl")
    assert spec is not None and "https://api.eu.opsgenie.com" in spec.choices


@pytest.mark.parametrize(("alert_type", "message_type"), [("Alert", "CRITICAL"), ("Ok", "RECOVERY")])
def test_splunk_on_call(make_preset, receiver, alert_type: str, message_type: str) -> None:
    path = "/integrations/generic/20131114/alert/rest-api-key/team-a"
    receiver.expect_request(path, method="POST").respond_with_json({"result": "success"})
    url = receiver.url_for("/integrations/generic/20131114/alert/rest-api-key")
    integration = make_preset("splunk-on-call", {"SplunkOnCallUrl": url, "RoutingKey": "team-a"})
    exchanges = send_test(integration, alert_type)
    body = last_request(receiver).get_json()
    assert body["message_type"] == message_type and body["entity_id"] == KEY
    assert body["entity_display_name"].startswith(EXAMPLES["@monitor.name"])
    assert "rest-api-key" not in exchanges[0].request["url"]


def test_servicenow_creates_then_resolves_by_correlation(make_preset, receiver) -> None:
    receiver.expect_request("/api/now/table/incident", method="POST").respond_with_json(
        {"result": {"sys_id": "abc", "number": "INC0010001"}}, status=201
    )
    receiver.expect_request("/api/now/table/incident", method="GET").respond_with_json(
        {"result": [{"sys_id": "46d44f1a2f0b10105d2d4a3df699b6c4"}]}
    )
    receiver.expect_request(
        "/api/now/table/incident/46d44f1a2f0b10105d2d4a3df699b6c4", method="PATCH"
    ).respond_with_json({"result": {"state": "6"}})
    integration = make_preset(
        "servicenow",
        {"InstanceName": "acme", "Username": "alerts", "Password": "pw-123456"},
        vendor_base="https://{{InstanceName}}.service-now.com",
    )
    exchanges = send_test(integration, "Alert")
    request = last_request(receiver)
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"alerts:pw-123456").decode()
    assert request.headers["Accept"] == "application/json"
    assert request.args["sysparm_fields"] == "sys_id,number"
    body = request.get_json()
    assert body["correlation_id"] == KEY and body["urgency"] == "2" and body["short_description"]
    assert exchanges[0].request["headers"]["Authorization"] == "Basic ********"

    exchanges = send_test(integration, "Ok")
    lookup, patch = (r for r, _ in receiver.log[-2:])
    assert lookup.method == "GET"
    assert lookup.args["sysparm_query"] == f"correlation_id={KEY}" and lookup.args["sysparm_limit"] == "1"
    assert patch.method == "PATCH" and patch.get_json()["state"] == "6"
    assert patch.get_json()["close_code"] == "Resolved by caller" and patch.get_json()["close_notes"]
    assert [e.request["method"] for e in exchanges] == ["GET", "PATCH"]
    assert send_test(integration, "Reminder") == []  # reminders are off for a stateful receiver


def test_servicenow_preview_shows_the_capture_placeholder(make_preset) -> None:
    integration = make_preset(
        "servicenow", {"InstanceName": "acme", "Username": "alerts", "Password": "pw-123456"}
    )
    lookup, patch = preview(integration, "Ok")
    assert lookup.request["url"].startswith("https://acme.service-now.com/api/now/table/incident?")
    # Nothing is sent in a preview, so the PATCH shows where the looked-up sys_id goes.
    assert patch.request["url"] == (
        "https://acme.service-now.com/api/now/table/incident/%7B%7BIncidentSysId%7D%7D"
        "?sysparm_fields=sys_id,number,state"
    )


@pytest.mark.parametrize(("alert_type", "status"), [("Alert", "major_outage"), ("Ok", "operational")])
def test_statuspage_component_status(make_preset, receiver, alert_type: str, status: str) -> None:
    receiver.expect_request("/v1/pages/page1/components/comp1", method="PATCH").respond_with_json({})
    integration = make_preset(
        "statuspage",
        {"ApiKey": "sp-key-1", "PageId": "page1", "ComponentId": "comp1"},
        vendor_base="https://api.statuspage.io",
    )
    send_test(integration, alert_type)
    request = last_request(receiver)
    assert request.headers["Authorization"] == "OAuth sp-key-1"
    assert request.get_json() == {"component": {"status": status}}


def test_discord_embed(make_preset, receiver) -> None:
    receiver.expect_request("/api/webhooks/123/tok-secret", method="POST").respond_with_json({"id": "1"})
    url = receiver.url_for("/api/webhooks/123/tok-secret")
    integration = make_preset("discord", {"WebhookUrl": url})
    exchanges = send_test(integration, "Alert")
    request = last_request(receiver)
    assert request.args["wait"] == "true"
    body = request.get_json()
    assert body["allowed_mentions"] == {"parse": []}
    assert 0 < len(body["content"]) <= 2000
    embed = body["embeds"][0]
    assert embed["color"] == 15158332 and embed["title"] == EXAMPLES["@monitor.name"]
    assert len(embed["description"]) <= 4096
    assert "tok-secret" not in json.dumps(exchanges[0].request)


def test_telegram_send_message(make_preset, receiver) -> None:
    receiver.expect_request("/bot123:ABC/sendMessage", method="POST").respond_with_json({"ok": True})
    integration = make_preset(
        "telegram", {"BotToken": "123:ABC", "ChatId": "-100123", "ApiBaseUrl": base_url(receiver)}
    )
    exchanges = send_test(integration, "Reminder")
    body = last_request(receiver).get_json()
    assert body["chat_id"] == "-100123"
    assert body["text"].startswith("Reminder: ") and len(body["text"]) <= 4096
    assert "123:ABC" not in exchanges[0].request["url"]


def test_google_chat_threads_by_incident(make_preset, receiver) -> None:
    receiver.expect_request("/v1/spaces/AAA/messages", method="POST").respond_with_json({"name": "x"})
    url = receiver.url_for("/v1/spaces/AAA/messages") + "?key=gkey-1&token=gtoken-1"
    integration = make_preset("google-chat", {"WebhookUrl": url})
    exchanges = send_test(integration, "Alert")
    request = last_request(receiver)
    assert request.args["key"] == "gkey-1" and request.args["token"] == "gtoken-1"
    assert request.args["messageReplyOption"] == "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD"
    assert request.headers["Content-Type"] == "application/json; charset=UTF-8"
    body = request.get_json()
    assert body["thread"] == {"threadKey": KEY} and EXAMPLES["@monitor.name"] in body["text"]
    shown = json.dumps(exchanges[0].request)
    assert "gkey-1" not in shown and "gtoken-1" not in shown


def test_mattermost(make_preset, receiver) -> None:
    receiver.expect_request("/hooks/mm-key", method="POST").respond_with_data("ok")
    integration = make_preset("mattermost", {"WebhookUrl": receiver.url_for("/hooks/mm-key")})
    send_test(integration, "Ok")
    body = last_request(receiver).get_json()
    assert body["text"].startswith("#### :white_check_mark: Ok: ")
    assert body["attachments"][0]["color"] == "#2EB67D"


@pytest.mark.parametrize("token", ["", "tk_secret1"])
def test_ntfy(make_preset, receiver, token: str) -> None:
    receiver.expect_request("/", method="POST").respond_with_json({"id": "x"})
    integration = make_preset(
        "ntfy", {"ServerUrl": base_url(receiver) + "/", "Topic": "alerts-7f3k", "AccessToken": token}
    )
    exchanges = send_test(integration, "Alert")
    request = last_request(receiver)
    body = request.get_json()
    assert body["topic"] == "alerts-7f3k" and body["priority"] == 5 and body["tags"] == ["rotating_light"]
    assert body["click"] == EXAMPLES["@monitor.dashboardUrl"]
    if token:
        assert request.headers["Authorization"] == f"Bearer {token}"
        assert exchanges[0].request["headers"]["Authorization"] == "Bearer ********"
    else:
        assert "Authorization" not in request.headers
    assert "alerts-7f3k" not in json.dumps(exchanges[0].request)


def test_pushover_form(make_preset, receiver) -> None:
    receiver.expect_request("/1/messages.json", method="POST").respond_with_json({"status": 1})
    integration = make_preset(
        "pushover",
        {"AppToken": "app-token-1", "UserKey": "user-key-1"},
        vendor_base="https://api.pushover.net",
    )
    exchanges = send_test(integration, "Alert")
    request = last_request(receiver)
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = request.form
    assert form["token"] == "app-token-1" and form["user"] == "user-key-1" and form["priority"] == "1"
    assert form["title"] == f"Alert: {EXAMPLES['@monitor.name']}"
    assert 0 < len(form["message"]) <= 1024 and form["url"] == EXAMPLES["@monitor.dashboardUrl"]
    assert "app-token-1" not in exchanges[0].request["body"]


@pytest.mark.parametrize(("alert_type", "status"), [("Alert", "firing"), ("Ok", "resolved")])
def test_alertmanager_payload(make_preset, receiver, alert_type: str, status: str) -> None:
    receiver.expect_request("/am", method="POST").respond_with_data("")
    integration = make_preset("alertmanager", {"WebhookUrl": receiver.url_for("/am")})
    send_test(integration, alert_type)
    body = last_request(receiver).get_json()
    assert body["version"] == "4" and body["status"] == status and body["groupKey"] == KEY
    alert = body["alerts"][0]
    assert alert["status"] == status and alert["fingerprint"] == KEY
    assert alert["startsAt"] == EXAMPLES["@alert.firstErrorUtc"] + "Z"
    assert alert["labels"]["alertname"] == EXAMPLES["@monitor.name"]
    if status == "firing":
        assert alert["endsAt"] == "0001-01-01T00:00:00Z"
    else:
        assert alert["endsAt"].endswith("Z") and alert["endsAt"] != "0001-01-01T00:00:00Z"


JSON_BODIES = [
    (preset.slug, step["name"], step["body"], [v.name for v in preset.variables])
    for preset in presets.presets().values()
    for step in preset.steps
    if step["content_type"].startswith("application/json")
]
nasty = st.text(alphabet=st.characters(codec="utf-8"), max_size=80) | st.sampled_from(
    ['"', "\\", "\n\r\t", "}}", "{{@alert.type}}", ")}}", "😀", '"}]}', "\x00\x1f", "\u2028"]
)


@pytest.mark.parametrize(("slug", "step", "body", "names"), JSON_BODIES)
@settings(max_examples=25, deadline=None)
@given(value=nasty, other=nasty)
def test_json_presets_stay_valid_json(
    slug: str, step: str, body: str, names: list[str], value, other
) -> None:
    context = {name: value for name in catalogue.variable_names()}
    context.update({name: other for name in names})
    json.loads(render(body, context))


def test_pushover_form_survives_any_text() -> None:
    body = presets.get("pushover").steps[0]["body"]
    rendered = render(body, {"@alert.type": "Alert", "@monitor.name": "a&b=c\n😀", "AppToken": "t&x"})
    form = parse_qs(rendered)
    assert form["title"] == ["Alert: a&b=c\n😀"] and form["token"] == ["t&x"]
