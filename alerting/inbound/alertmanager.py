"""Prometheus Alertmanager's webhook payload (version 4), and Grafana's, which
is the same alert list with a few fields of its own.

Each alert is one check result: ``firing`` an error, ``resolved`` an OK, at
``startsAt`` or ``endsAt``. The sender's identity for idempotency is the
alert's fingerprint with its status and start: Alertmanager repeats a
notification (every ``repeat_interval``, and with each group change) and a
repeat must not count as another error.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from alerting.api.ingest_schema import MAX_BATCH, timestamp
from alerting.engine import clock
from alerting.inbound import keys
from alerting.inbound.common import (
    Converted,
    Problems,
    as_custom_fields,
    optional_text,
    sender_key,
    string_map,
    url_or_empty,
)

DEFAULT_TEMPLATE = "{alertname}/{instance}"
STATUSES = {"firing": "error", "resolved": "ok"}
# Go's zero time: Alertmanager's endsAt of an alert still firing.
ZERO_TIME_PREFIX = "0001-01-01"


def convert_alertmanager(data: Any, template: str) -> Converted:
    return convert(data, template, source="alertmanager")


def convert_grafana(data: Any, template: str) -> Converted:
    return convert(data, template, source="grafana")


def convert(data: Any, template: str, *, source: str) -> Converted:
    result = Converted()
    tool = "Grafana" if source == "grafana" else "Alertmanager"
    if not isinstance(data, dict):
        result.errors = {
            "detail": [
                gettext("Send %(tool)s's webhook JSON object (with its alerts list).") % {"tool": tool}
            ]
        }
        return result
    if source == "alertmanager" and data.get("version") not in (None, "4"):
        result.errors = {
            "version": [f'Only version "4" of the webhook payload is understood, not {data["version"]!r}.']
        }
        return result
    alerts = data.get("alerts")
    if not isinstance(alerts, list):
        result.errors = {"alerts": [gettext("This field is required: the list of alerts.")]}
        return result
    if not alerts:
        result.errors = {"alerts": [gettext("The list is empty: there is no alert to record.")]}
        return result
    if len(alerts) > MAX_BATCH:
        result.errors = {
            "alerts": [
                gettext(
                    "At most %(max)s alerts per request (got %(count)s): set max_alerts: %(max)s in the "
                    "webhook configuration."
                )
                % {"max": MAX_BATCH, "count": len(alerts)}
            ]
        }
        return result
    template = template or DEFAULT_TEMPLATE
    for index, alert in enumerate(alerts):
        problems = Problems()
        item, names = convert_alert(alert, template, source, problems)
        if problems.errors:
            result.errors[str(index)] = problems.errors
        result.items.append(item)
        result.names.append(names)
    return result


def convert_alert(
    alert: Any, template: str, source: str, problems: Problems
) -> tuple[dict[str, Any], dict[str, str]]:
    if not isinstance(alert, dict):
        problems.add("detail", gettext("Each alert must be a JSON object."))
        return {}, {}
    status = alert.get("status")
    if not isinstance(status, str) or status not in STATUSES:
        problems.add("status", f'Must be "firing" or "resolved", not {_shown(status)}.')
    labels = string_map(alert.get("labels"), "labels", problems, required=True)
    annotations = string_map(alert.get("annotations"), "annotations", problems, required=False)
    time_field = "endsAt" if status == "resolved" else "startsAt"
    moment = alert.get(time_field)
    if isinstance(moment, str) and (not moment or moment.startswith(ZERO_TIME_PREFIX)):
        moment = None  # unset: now
    starts_at = alert.get("startsAt")
    if status == "resolved" and starts_at is not None:
        # Not the result's time, but part of the alert's identity: checked alike.
        check_time(starts_at, "startsAt", problems)
    starts_at = starts_at if isinstance(starts_at, str) else ""
    if status == "firing" and not isinstance(alert.get("endsAt"), str | None):
        problems.add("endsAt", gettext("Must be a string: an RFC 3339 date and time."))
    fingerprint = optional_text(alert.get("fingerprint"), "fingerprint", problems)
    generator = optional_text(alert.get("generatorURL"), "generatorURL", problems)

    key = keys.render(template, labels) if labels else ""
    if labels and not key:
        problems.add(
            "labels",
            gettext("The monitor key template %(template)s finds none of its labels here.")
            % {"template": template},
        )
    alertname = labels.get("alertname", "")
    description = annotations.get("summary") or annotations.get("description") or alertname or key
    item: dict[str, Any] = {
        "monitor": key,
        "status": STATUSES.get(status, "error") if isinstance(status, str) else "error",
        "description": description,
        "monitor_name": (labels.get("monitor_name") or key)[:200],
        "custom_fields": as_custom_fields(labels),
        "idempotency_key": sender_key(
            source,
            fingerprint or "\x1e".join(f"{k}={v}" for k, v in sorted(labels.items())),
            str(status),
            starts_at,
        ),
    }
    if moment is not None:
        item["timestamp"] = moment
    if generator:
        item["check_url"] = url_or_empty(generator)
    names = {
        "monitor": "labels",
        "monitor_name": "labels",
        "custom_fields": "labels",
        "description": "annotations",
        "timestamp": time_field,
        "check_url": "generatorURL",
    }
    if source == "grafana":
        grafana_fields(alert, item, names, problems)
    return item, names


def grafana_fields(
    alert: dict[str, Any], item: dict[str, Any], names: dict[str, str], problems: Problems
) -> None:
    """Grafana's own fields: the value that crossed the threshold and the
    dashboard the alert comes from."""
    value_string = optional_text(alert.get("valueString"), "valueString", problems)
    values = alert.get("values")
    if not value_string and isinstance(values, dict) and values:
        value_string = ", ".join(f"{k}={v}" for k, v in values.items())
    if value_string:
        item["failure_message"] = value_string
        names["failure_message"] = "valueString"
    for name in ("dashboardURL", "panelURL"):
        url = optional_text(alert.get(name), name, problems)
        if url and "monitor_url" not in item and url_or_empty(url):
            item["monitor_url"] = url
            names["monitor_url"] = name


def check_time(value: Any, name: str, problems: Problems) -> None:
    if isinstance(value, str) and value.startswith(ZERO_TIME_PREFIX):
        return
    try:
        timestamp(value, clock.now())
    except ValidationError as exc:
        for message in exc.messages:
            problems.add(name, message)


def _shown(value: Any) -> str:
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
