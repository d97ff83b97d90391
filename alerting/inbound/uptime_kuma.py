"""Uptime Kuma's webhook notification (``application/json``: ``heartbeat``,
``monitor`` and ``msg``).

A heartbeat's status is 0 (down: an error), 1 (up: OK), 2 (pending) or 3
(maintenance); the last two are not check results and are answered without
recording anything, as is the *Test* button's notification, which has no
heartbeat. Uptime Kuma has no alert id, so the sender's identity is the
monitor's id with the heartbeat's status and time.
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

DEFAULT_TEMPLATE = "uptime-kuma/{id}"
PLACEHOLDERS = ["id", "name", "type", "hostname", "pathName"]
STATUSES = {0: "error", 1: "ok"}
NOT_RESULTS = {2: "pending", 3: "maintenance"}


def convert_uptime_kuma(data: Any, template: str) -> Converted:
    result = Converted(single=True)
    if not isinstance(data, dict):
        result.errors = {"detail": ["Send Uptime Kuma's webhook JSON object (heartbeat, monitor, msg)."]}
        return result
    problems = Problems()
    heartbeat, monitor = data.get("heartbeat"), data.get("monitor")
    if heartbeat is None and monitor is None and isinstance(data.get("msg"), str):
        result.skipped = "A test notification (no heartbeat): nothing recorded."
        return result
    if not isinstance(heartbeat, dict):
        problems.add("heartbeat", gettext("Must be an object (the heartbeat)."))
        heartbeat = {}
    if not isinstance(monitor, dict):
        problems.add("monitor", gettext("Must be an object (the monitor)."))
        monitor = {}
    status = heartbeat.get("status")
    if isinstance(status, bool) or status not in (*STATUSES, *NOT_RESULTS):
        problems.add("heartbeat.status", gettext("Must be 0 (down), 1 (up), 2 (pending) or 3 (maintenance)."))
    values = {name: optional_text(monitor.get(name), f"monitor.{name}", problems) for name in PLACEHOLDERS}
    name = values["name"]
    if not name:
        problems.add("monitor.name", gettext("This field is required: the monitor's name."))
    template = template or DEFAULT_TEMPLATE
    key = keys.render(template, values)
    if not key and not problems.errors:
        problems.add(
            "monitor",
            gettext("The monitor key template %(template)s finds none of its fields here.")
            % {"template": template},
        )
    if problems.errors:
        result.errors = {"0": problems.errors}
        return result
    if status in NOT_RESULTS:
        result.skipped = gettext(
            "Uptime Kuma status %(status)s (%(meaning)s) is not a check result: nothing recorded."
        ) % {"status": status, "meaning": NOT_RESULTS[status]}
        result.skipped_monitor = key
        return result

    message = optional_text(heartbeat.get("msg"), "heartbeat.msg", problems) or optional_text(
        data.get("msg"), "msg", problems
    )
    moment = optional_text(heartbeat.get("time"), "heartbeat.time", problems)
    item: dict[str, Any] = {
        "monitor": key,
        "status": "error" if status == 0 else "ok",
        "description": message or f"{name} is down",
        "monitor_name": name[:200],
        "idempotency_key": sender_key("uptime-kuma", values["id"], str(status), moment),
    }
    if moment:
        item["timestamp"] = naive_utc_iso(moment)
    url = optional_text(monitor.get("url"), "monitor.url", problems)
    # Kuma keeps a placeholder "https://" on monitors that check no URL.
    if url and url not in ("http://", "https://") and url_or_empty(url):
        item["monitor_url"] = url
    elif values["hostname"]:
        item["monitor_url"] = values["hostname"]
    if values["type"]:
        item["monitor_type"] = values["type"][:100]
    if problems.errors:
        result.errors = {"0": problems.errors}
        return result
    result.items.append(item)
    result.names.append(
        {
            "monitor": "monitor",
            "monitor_name": "monitor.name",
            "monitor_url": "monitor.url",
            "monitor_type": "monitor.type",
            "description": "heartbeat.msg",
            "timestamp": "heartbeat.time",
        }
    )
    return result
