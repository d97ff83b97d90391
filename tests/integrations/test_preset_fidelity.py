"""Presets rendered for Alert, Ok and Reminder with hostile values, checked
request by request against what the receivers document (issue 15, "Wrong
today"): Discord and every URL with a query of its own, Alertmanager's labels,
Mattermost's fallback and Splunk On-Call's display name."""

from __future__ import annotations

import json

import pytest

from integrations.templating import merge_query, render_url
from tests.integrations import hostile

ALERT_TYPES = ["Alert", "Ok", "Reminder"]


def last_request(server):
    assert server.log, "the receiver got no request"
    return server.log[-1][0]


# --- one helper joins queries -------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "params", "expected"),
    [
        ("https://x.test/hook", "wait=true", "https://x.test/hook?wait=true"),
        ("https://x.test/hook?thread_id=999", "wait=true", "https://x.test/hook?thread_id=999&wait=true"),
        (
            "https://x.test/hook?thread_id=999&wait=false",
            "wait=true",
            "https://x.test/hook?thread_id=999&wait=true",
        ),
        ("https://x.test/hook?", "?wait=true", "https://x.test/hook?wait=true"),
        ("https://x.test/h?sig=a%2Bb#frag", [("q", "a b&c")], "https://x.test/h?sig=a%2Bb&q=a+b%26c#frag"),
        ("https://x.test/hook?a=1", "", "https://x.test/hook?a=1"),
    ],
)
def test_merge_query(url: str, params, expected: str) -> None:
    assert merge_query(url, params) == expected


@pytest.mark.parametrize(
    ("template", "value", "expected"),
    [
        (
            "{{Url}}?wait=true",
            "https://d.test/api/webhooks/1/t?thread_id=999",
            "https://d.test/api/webhooks/1/t?thread_id=999&wait=true",
        ),
        ("{{Url}}?wait=true", "https://d.test/api/webhooks/1/t", "https://d.test/api/webhooks/1/t?wait=true"),
        ("{{Url}}&opt=A", "https://c.test/m?key=k&token=t", "https://c.test/m?key=k&token=t&opt=A"),
        ("{{Url}}&opt=A", "https://c.test/m", "https://c.test/m?opt=A"),
        (
            "{{Url}}/close?identifierType=alias",
            "https://o.test/k",
            "https://o.test/k/close?identifierType=alias",
        ),
        ("https://fixed.test/a?b=1&c={{Id}}", "", "https://fixed.test/a?b=1&c=a?b"),
        ("  {{Url}}  ", "https://s.test/a?v=2", "https://s.test/a?v=2"),
    ],
)
def test_render_url_merges_the_templates_query(template: str, value: str, expected: str) -> None:
    assert render_url(template, {"Url": value, "Id": "a?b"}) == expected


# --- Discord --------------------------------------------------------------------------


def discord_description(values: dict[str, str]) -> str:
    return (
        f"**Error:** {values['@alert.description']}\n**Checked:** {values['@monitor.url']}\n"
        f"**First error (UTC):** {values['@alert.firstErrorUtcFormatted']}\n"
        f"{values['@escalationLevel.message']}"
    )


@pytest.mark.parametrize("alert_type", ALERT_TYPES)
def test_discord_keeps_the_thread_and_sends_the_documented_body(
    make_preset, receiver, alert_type: str
) -> None:
    receiver.expect_request("/api/webhooks/123/tok-secret", method="POST").respond_with_json({"id": "1"})
    url = receiver.url_for("/api/webhooks/123/tok-secret") + "?thread_id=999"
    integration = make_preset("discord", {"WebhookUrl": url})
    exchanges = hostile.send(integration, alert_type)

    request = last_request(receiver)
    ok = alert_type == "Ok"
    # Errors carry an Acknowledge link button: webhooks need with_components for it.
    assert request.query_string == (
        b"thread_id=999&wait=true" if ok else b"thread_id=999&wait=true&with_components=true"
    )
    values = hostile.values(alert_type)
    name = values["@monitor.name"]
    ack = values["@incident.acknowledgeUrl"]
    content = (
        f"Ok: {name} is back after {values['@alert.downtimeDuration']}"
        if alert_type == "Ok"
        else f"{alert_type}: {name}"
    )
    expected = {
        "username": "alertsite",
        "allowed_mentions": {"parse": []},
        "content": content,
        "embeds": [
            {
                "title": name,
                "url": values["@monitor.dashboardUrl"],
                "color": 3066993 if ok else 15158332,
                "description": discord_description(values) + ("" if ok else f"\n[Acknowledge]({ack})"),
            }
        ],
    }
    if not ok:
        expected["components"] = [
            {"type": 1, "components": [{"type": 2, "style": 5, "label": "Acknowledge", "url": ack}]}
        ]
    assert request.get_json() == expected
    assert "tok-secret" not in json.dumps(exchanges[0].request)


def test_google_chat_without_a_query_of_its_own(make_preset, receiver) -> None:
    receiver.expect_request("/v1/spaces/AAA/messages", method="POST").respond_with_json({"name": "x"})
    integration = make_preset("google-chat", {"WebhookUrl": receiver.url_for("/v1/spaces/AAA/messages")})
    hostile.send(integration, "Alert")
    assert last_request(receiver).query_string == b"messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD"


# --- Alertmanager webhook --------------------------------------------------------------


def test_alertmanager_labels_are_the_alerts_identity(make_preset, receiver) -> None:
    """Alertmanager identifies an alert by its label set (the fingerprint is a
    hash of it): firing, reminder and resolved must carry the same labels."""
    receiver.expect_request("/am", method="POST").respond_with_data("")
    integration = make_preset("alertmanager", {"WebhookUrl": receiver.url_for("/am")})
    bodies = {}
    for alert_type in ALERT_TYPES:
        hostile.send(integration, alert_type)
        bodies[alert_type] = last_request(receiver).get_json()

    values = hostile.values("Alert")
    key, name = values["@incident.key"], values["@monitor.name"]
    labels = {
        "alertname": name,
        "monitor": values["@monitor.monitorGuid"],
        "severity": "critical",
        "source": "alertsite",
    }
    for alert_type, body in bodies.items():
        status = "resolved" if alert_type == "Ok" else "firing"
        ends = (
            hostile.values("Ok")["@alert.timestampUtc"] + "Z"
            if status == "resolved"
            else "0001-01-01T00:00:00Z"
        )
        assert body == {
            "version": "4",
            "groupKey": key,
            "truncatedAlerts": 0,
            "status": status,
            "receiver": "alertsite",
            "groupLabels": {"alertname": name},
            "commonLabels": labels,
            "commonAnnotations": {"summary": values["@alert.description"]},
            "externalURL": values["@monitor.dashboardUrl"],
            "alerts": [
                {
                    "status": status,
                    "labels": labels,
                    "annotations": {
                        "summary": values["@alert.description"],
                        "description": values["@escalationLevel.message"],
                    },
                    "startsAt": values["@alert.firstErrorUtc"] + "Z",
                    "endsAt": ends,
                    "generatorURL": values["@alert.firstErrorCheckUrl"],
                    "fingerprint": key,
                }
            ],
        }, alert_type


# --- Mattermost -------------------------------------------------------------------------


@pytest.mark.parametrize("alert_type", ALERT_TYPES)
def test_mattermost_attachment_has_its_fallback(make_preset, receiver, alert_type: str) -> None:
    """Mattermost's message attachments require ``fallback`` (the plain-text
    summary shown where the attachment cannot be)."""
    receiver.expect_request("/hooks/mm-key", method="POST").respond_with_data("ok")
    integration = make_preset("mattermost", {"WebhookUrl": receiver.url_for("/hooks/mm-key")})
    hostile.send(integration, alert_type)

    v = hostile.values(alert_type)
    name, description = v["@monitor.name"], v["@alert.description"]
    ok = alert_type == "Ok"
    fallback = (
        f"Ok: {name} is back after {v['@alert.downtimeDuration']}"
        if ok
        else f"{alert_type}: {name} – {description}"
    )
    assert last_request(receiver).get_json() == {
        "username": "alertsite",
        "text": (
            f"#### {':white_check_mark:' if ok else ':red_circle:'} {alert_type}: {name}\n{description}\n"
            f"[Monitor dashboard]({v['@monitor.dashboardUrl']})"
            + ("" if ok else f" · [Acknowledge]({v['@incident.acknowledgeUrl']})")
        ),
        "attachments": [
            {
                "fallback": fallback,
                "color": "#2EB67D" if ok else "#E01E5A",
                "fields": [
                    {"short": True, "title": "Checked", "value": v["@monitor.url"]},
                    {
                        "short": True,
                        "title": "First error (UTC)",
                        "value": v["@alert.firstErrorUtcFormatted"],
                    },
                    {"short": False, "title": "Message", "value": v["@escalationLevel.message"]},
                ],
            }
        ],
    }


# --- Splunk On-Call ---------------------------------------------------------------------


@pytest.mark.parametrize("alert_type", ALERT_TYPES)
def test_splunk_on_call_display_name_is_the_entitys_capped_name(
    make_preset, receiver, alert_type: str
) -> None:
    """Splunk defines ``entity_display_name`` as the human-readable name of the
    entity; the timeline shows it beside ``state_message``, which carries the
    error. A 4,000-character description no longer lands in it."""
    receiver.expect_request("/rest/key/team-a", method="POST").respond_with_json({"result": "success"})
    url = receiver.url_for("/rest/key")
    integration = make_preset("splunk-on-call", {"SplunkOnCallUrl": url, "RoutingKey": "team-a"})
    long_name = "N" * 250
    long_description = "D" * 3990 + "<\"'>&\n"
    hostile.send(
        integration, alert_type, **{"@monitor.name": long_name, "@alert.description": long_description}
    )

    v = hostile.values(alert_type)
    body = last_request(receiver).get_json()
    assert body == {
        "message_type": "RECOVERY" if alert_type == "Ok" else "CRITICAL",
        "entity_id": v["@incident.key"],
        "entity_display_name": "N" * 199 + "…",
        "state_message": (
            f"{long_description}\n{v['@escalationLevel.message']}\nDashboard: {v['@monitor.dashboardUrl']}"
        ),
        "monitoring_tool": "alertsite",
        "monitor_url": v["@monitor.url"],
        "first_error_check_url": v["@alert.firstErrorCheckUrl"],
    }
