"""The body of Uptrends' "Uptrends integration" (our Uptrends preset's shape:
``alert``, ``monitor``, ``incident``, … each an object of the variables).

``alert.type`` Alert and Reminder are errors (a reminder says the error goes
on), Ok is an OK. Times without a zone are Uptrends' UTC fields. The sender's
identity is ``alert.alertGuid``, unique per alert message.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from alerting.inbound import keys
from alerting.inbound.common import (
    Converted,
    Problems,
    naive_utc_iso,
    optional_text,
    sender_key,
    url_or_empty,
)

DEFAULT_TEMPLATE = "uptrends/{monitorGuid}"
PLACEHOLDERS = ["monitorGuid", "name", "type", "accountId"]
TYPES = {"Alert": "error", "Reminder": "error", "Ok": "ok"}
# alert.<variable> -> check field.
CHECK_FIELDS = {
    "checkpointName": "checkpoint",
    "errorTypeId": "error_type_id",
    "failureMessage": "failure_message",
    "firstErrorCheckId": "check_id",
    "firstErrorCheckUrl": "check_url",
    "resolvedIpAddress": "resolved_ip",
    "serverIpv4": "server_ipv4",
    "serverIpv6": "server_ipv6",
    "responseHeaders": "response_headers",
    "responseBody": "response_body",
    "sslValidUntil": "ssl_valid_until",
}
MONITOR_FIELDS = {
    "name": "monitor_name",
    "url": "monitor_url",
    "type": "monitor_type",
    "notes": "monitor_notes",
}


def convert_uptrends(data: Any, template: str) -> Converted:
    result = Converted(single=True)
    if not isinstance(data, dict):
        result.errors = {
            "detail": [gettext("Send the Uptrends integration's JSON object (alert, monitor, …).")]
        }
        return result
    problems = Problems()
    alert, monitor = data.get("alert"), data.get("monitor")
    if not isinstance(alert, dict):
        problems.add("alert", gettext("This field is required: an object (the alert)."))
        alert = {}
    if not isinstance(monitor, dict):
        problems.add("monitor", gettext("This field is required: an object (the monitor)."))
        monitor = {}
    alert_type = alert.get("type")
    if not isinstance(alert_type, str) or alert_type not in TYPES:
        problems.add("alert.type", gettext("Must be Alert, Reminder or Ok."))
    guid = optional_text(alert.get("alertGuid"), "alert.alertGuid", problems)
    if not guid and "alert.alertGuid" not in problems.errors:
        problems.add("alert.alertGuid", gettext("This field is required: the alert's id."))
    account = data.get("account")
    values = {
        name: optional_text(monitor.get(name), f"monitor.{name}", problems) for name in PLACEHOLDERS[:3]
    }
    values["accountId"] = (
        optional_text(account.get("accountId"), "account.accountId", problems)
        if isinstance(account, dict)
        else ""
    )
    if not values["monitorGuid"] and "monitor.monitorGuid" not in problems.errors:
        problems.add("monitor.monitorGuid", gettext("This field is required: the monitor's id."))
    template = template or DEFAULT_TEMPLATE
    key = keys.render(template, values)

    is_error = TYPES.get(str(alert_type)) == "error"
    item: dict[str, Any] = {
        "monitor": key,
        "status": TYPES.get(str(alert_type), "error"),
        "idempotency_key": sender_key("uptrends", guid),
    }
    description = optional_text(alert.get("description"), "alert.description", problems)
    # An Ok alert repeats the error's text; as the OK's description it would mislead.
    if is_error:
        item["description"] = description
    moment = optional_text(alert.get("timestampUtc"), "alert.timestampUtc", problems)
    if moment:
        item["timestamp"] = naive_utc_iso(moment)
    names = {
        "monitor": "monitor.monitorGuid",
        "description": "alert.description",
        "timestamp": "alert.timestampUtc",
    }
    for source, target in CHECK_FIELDS.items():
        value = optional_text(alert.get(source), f"alert.{source}", problems)
        if target == "check_url":
            value = url_or_empty(value)
        if value:
            item[target] = value
            names[target] = f"alert.{source}"
    for source, target in MONITOR_FIELDS.items():
        value = optional_text(monitor.get(source), f"monitor.{source}", problems)
        if value:
            item[target] = value[:200] if target == "monitor_name" else value
            names[target] = f"monitor.{source}"
    if problems.errors:
        result.errors = {"0": problems.errors}
        return result
    result.items.append(item)
    result.names.append(names)
    return result
