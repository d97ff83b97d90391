"""The acknowledge link in the chat presets and Slack: in Alert and Reminder
messages, in each receiver's own button or action format; never in the Ok."""

from __future__ import annotations

import json

import pytest

from integrations import catalogue
from integrations.sending import send_test
from tests.integrations.conftest import base_url
from tests.integrations.test_builtins import builtin

pytestmark = pytest.mark.django_db

ACK = catalogue.example_values("Alert")["@incident.acknowledgeUrl"]
ERRORS = ["Alert", "Reminder"]


def sent(receiver) -> dict:
    assert receiver.log, "the receiver got no request"
    return receiver.log[-1][0].get_json()


def no_link(receiver) -> None:
    assert "/ack/" not in json.dumps(sent(receiver))


@pytest.mark.parametrize("alert_type", ERRORS)
def test_telegram_inline_keyboard_url_button(make_preset, receiver, alert_type):
    receiver.expect_request("/bot1:A/sendMessage", method="POST").respond_with_json({"ok": True})
    values = {"BotToken": "1:A", "ChatId": "-1", "ApiBaseUrl": base_url(receiver)}
    integration = make_preset("telegram", values)
    send_test(integration, alert_type)
    body = sent(receiver)
    assert body["reply_markup"] == {"inline_keyboard": [[{"text": "Acknowledge", "url": ACK}]]}
    assert body["text"].startswith(f"{alert_type}: ")
    send_test(integration, "Ok")
    assert "reply_markup" not in sent(receiver)
    assert sent(receiver)["text"].startswith("Ok: ")


@pytest.mark.parametrize("alert_type", ERRORS)
def test_discord_link_button(make_preset, receiver, alert_type):
    receiver.expect_request("/api/webhooks/1/t", method="POST").respond_with_json({"id": "1"})
    integration = make_preset("discord", {"WebhookUrl": receiver.url_for("/api/webhooks/1/t")})
    send_test(integration, alert_type)
    request = receiver.log[-1][0]
    # Webhooks drop components unless asked for them; link buttons (style 5) need no app.
    assert request.args["with_components"] == "true" and request.args["wait"] == "true"
    body = request.get_json()
    assert body["components"] == [
        {"type": 1, "components": [{"type": 2, "style": 5, "label": "Acknowledge", "url": ACK}]}
    ]
    assert body["embeds"][0]["description"].endswith(f"\n[Acknowledge]({ACK})")
    send_test(integration, "Ok")
    no_link(receiver)


@pytest.mark.parametrize("alert_type", ERRORS)
def test_google_chat_card_button(make_preset, receiver, alert_type):
    receiver.expect_request("/v1/spaces/A/messages", method="POST").respond_with_json({"name": "x"})
    url = receiver.url_for("/v1/spaces/A/messages") + "?key=k"
    integration = make_preset("google-chat", {"WebhookUrl": url})
    send_test(integration, alert_type)
    body = sent(receiver)
    button = {"text": "Acknowledge", "onClick": {"openLink": {"url": ACK}}}
    section = {"widgets": [{"buttonList": {"buttons": [button]}}]}
    assert body["cardsV2"] == [{"cardId": "acknowledge", "card": {"sections": [section]}}]
    assert body["thread"]["threadKey"]
    send_test(integration, "Ok")
    no_link(receiver)
    assert sent(receiver)["thread"]["threadKey"]


@pytest.mark.parametrize("alert_type", ERRORS)
def test_mattermost_markdown_link(make_preset, receiver, alert_type):
    receiver.expect_request("/hooks/k", method="POST").respond_with_data("ok")
    integration = make_preset("mattermost", {"WebhookUrl": receiver.url_for("/hooks/k")})
    send_test(integration, alert_type)
    assert sent(receiver)["text"].endswith(f" · [Acknowledge]({ACK})")
    send_test(integration, "Ok")
    no_link(receiver)


@pytest.mark.parametrize("alert_type", ERRORS)
def test_ntfy_view_action(make_preset, receiver, alert_type):
    receiver.expect_request("/", method="POST").respond_with_json({"id": "x"})
    integration = make_preset("ntfy", {"ServerUrl": base_url(receiver) + "/", "Topic": "t-1"})
    send_test(integration, alert_type)
    action = {"action": "view", "label": "Acknowledge", "url": ACK, "clear": True}
    assert sent(receiver)["actions"] == [action]
    send_test(integration, "Ok")
    no_link(receiver)


@pytest.mark.parametrize("alert_type", ERRORS)
def test_slack_button(receiver, alert_type):
    receiver.expect_request("/services/T/B/x", method="POST").respond_with_data("ok")
    integration = builtin("slack", WebhookUrl=receiver.url_for("/services/T/B/x"))
    send_test(integration, alert_type)
    blocks = sent(receiver)["attachments"][0]["blocks"]
    assert blocks[-1] == {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Acknowledge"},
                "url": ACK,
                "style": "primary",
                "action_id": "acknowledge",
            }
        ],
    }
    send_test(integration, "Ok")
    no_link(receiver)


def test_a_long_link_is_never_cut(make_preset, receiver):
    """Value limits cut text; a cut link would be a broken one."""
    from integrations.sending import _system_context

    long = "https://alerts.example.com/ack/" + "x" * 900
    context = _system_context({"@incident.acknowledgeUrl": long, "@monitor.name": "y" * 900}, {"*": 600})
    assert context["@incident.acknowledgeUrl"] == long
    assert len(context["@monitor.name"]) == 600


def test_the_variable_is_listed_as_an_extension(db):
    items = {i["name"]: i for i in catalogue.as_api_list()}
    item = items["@incident.acknowledgeUrl"]
    assert item["kind"] == "extension" and item["group"] == "incident"
    assert item["token"] == "{{@incident.acknowledgeUrl}}"
    assert item["meaning"].startswith("alertsite extension")
    assert "@incident.acknowledgeUrl" in catalogue.variable_names()
    assert "@incident.acknowledgeUrl" not in {v.name for v in catalogue.variables()}  # Uptrends' 38 stay 38


def test_variables_api_and_editor_panel_list_the_extensions(staff_client):
    from tests.api.conftest import client_for
    from tests.engine import factories as f

    items = {i["name"]: i for i in client_for("read").get("/api/v1/variables").json()["variables"]}
    for name in ("@incident.acknowledgeUrl", "@incident.acknowledgedBy", "@incident.acknowledgementNote"):
        assert items[name]["kind"] == "extension", name
    hook = f.webhook("panel")
    html = staff_client.get(f"/admin/integrations/integration/{hook.pk}/change/").content.decode()
    assert 'data-token="{{@incident.acknowledgeUrl}}"' in html
    assert "alertsite extension: a signed link" in html
