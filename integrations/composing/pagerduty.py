"""PagerDuty Events API v2: ``trigger`` on Alert and Reminder, ``acknowledge``
on Acknowledged, ``resolve`` on Ok, ``dedup_key`` = the incident key, the
level's message in custom_details. PagerDuty shows the event as sent, so its
labels are not translated."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext

from integrations.composing.text import cut, json_body
from integrations.transports.base import Request, TransportError
from integrations.transports.outgoing import Outgoing

DEFAULT_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
SEVERITIES = {"critical", "error", "warning", "info"}
ISO_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


def events_url(out: Outgoing) -> str:
    return out.var("EventsUrl") or getattr(settings, "PAGERDUTY_EVENTS_URL", "") or DEFAULT_EVENTS_URL


def request(out: Outgoing) -> Request:
    """The event, posted to the Events API."""
    if not out.var("RoutingKey"):
        raise TransportError(gettext("PagerDuty: the RoutingKey variable is empty."), permanent=True)
    return Request("POST", events_url(out), {"Content-Type": "application/json"}, json_body(event(out)))


def event(out: Outgoing) -> dict[str, Any]:
    s = out.system
    base = {
        "routing_key": out.var("RoutingKey"),
        "dedup_key": cut(s("@incident.key"), 255),
    }
    if out.alert_type == "Ok":
        return {**base, "event_action": "resolve"}
    if out.alert_type == "Acknowledged":
        # Same routing key and dedup_key as the trigger: PagerDuty acknowledges its alert.
        return {**base, "event_action": "acknowledge"}
    severity = out.var("Severity", "critical")
    details = {
        "Message": s("@escalationLevel.message"),
        "Alert type": out.alert_type,
        "Description": cut(s("@alert.description"), 4000),
        "Monitor": s("@monitor.name"),
        "Checked": s("@monitor.url"),
        "First error (UTC)": s("@alert.firstErrorUtc"),
        "Consecutive errors": s("@alert.numberOfConsecutiveErrors"),
        "Alert definition": s("@alertDefinition.name"),
        "Escalation level": s("@escalationLevel.id"),
    }
    payload: dict[str, Any] = {
        "summary": cut(f"{s('@monitor.name')}: {s('@alert.description')}", 1024),
        "source": cut(s("@monitor.url") or s("@monitor.name") or "alertsite", 255),
        "severity": severity if severity in SEVERITIES else "critical",
        "component": cut(s("@monitor.name"), 255),
        "group": cut(s("@alertDefinition.name"), 255),
        "class": cut(s("@monitor.type"), 255),
        "custom_details": {k: v for k, v in details.items() if v},
    }
    if ISO_RE.match(s("@alert.timestampUtc")):
        payload["timestamp"] = s("@alert.timestampUtc")[:19] + "Z"
    links = [
        {"href": s(name), "text": text}
        for name, text in (
            ("@monitor.dashboardUrl", "Monitor dashboard"),
            ("@alert.firstErrorCheckUrl", "First error"),
        )
        if s(name).startswith(("http://", "https://"))
    ]
    result: dict[str, Any] = {**base, "event_action": "trigger", "payload": payload, "client": "alertsite"}
    if links:
        result["links"] = links
        result["client_url"] = links[0]["href"]
    return result
