"""The snapshot of every system variable for one alert (``Alert.variables``).

Keys are the Uptrends names exactly as the catalogue lists them
(``integrations/catalogue.json``), e.g. ``"@alert.description"``; a monitor's
custom fields are kept as ``"@CustomField(<name>)"``. Every value is a string,
as a template would print it. The snapshot is taken when the alert is raised,
so later edits to a monitor or definition do not rewrite what was sent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from alerting.models import Alert, Incident, Monitor

CUSTOM_FIELD_PREFIX = "@CustomField"
# Check data kept on the incident (Incident.last_check_data) and fed to the
# variable of the same meaning.
CHECK_FIELDS = (
    "description",
    "checkpoint",
    "error_type_id",
    "failure_message",
    "check_id",
    "check_url",
    "resolved_ip",
    "server_ipv4",
    "server_ipv6",
    "response_headers",
    "response_body",
    "ssl_valid_until",
)


def iso(moment: dt.datetime, zone: dt.tzinfo) -> str:
    # Uptrends prints ISO 8601 without an offset: the variable's name says
    # which zone it is in.
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S")


def formatted(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """The account culture's short form, as Uptrends shows it: ``8/28/2020 12:23 PM``."""
    local = moment.astimezone(zone)
    hour = local.hour % 12 or 12
    meridiem = "AM" if local.hour < 12 else "PM"
    return f"{local.month}/{local.day}/{local.year} {hour}:{local.minute:02d} {meridiem}"


def duration(delta: dt.timedelta) -> str:
    """Hours:minutes:seconds with hours unbounded, e.g. ``48:03:21``."""
    seconds = max(0, int(delta.total_seconds()))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def times(prefix: str, moment: dt.datetime) -> dict[str, str]:
    local = ZoneInfo(settings.TIME_ZONE)
    return {
        f"@alert.{prefix}": iso(moment, local),
        f"@alert.{prefix}Formatted": formatted(moment, local),
        f"@alert.{prefix}Utc": iso(moment, dt.UTC),
        f"@alert.{prefix}UtcFormatted": formatted(moment, dt.UTC),
    }


def check_url(check_result_id: int | None, submitted_url: str) -> str:
    if submitted_url:
        return submitted_url
    if check_result_id is None:
        return ""
    return f"{settings.PUBLIC_BASE_URL}/admin/alerting/checkresult/{check_result_id}/change/"


def snapshot(
    alert: Alert,
    incident: Incident,
    monitor: Monitor,
    *,
    ok_check: dict[str, Any] | None = None,
    ok_at: dt.datetime | None = None,
    level_message: str | None = None,
) -> dict[str, str]:
    """Every variable's value for ``alert`` (its type, times, definition and
    level set). ``ok_check`` is the OK submission's data for an Ok alert,
    ``ok_at`` its timestamp (the end of the downtime). ``level_message``: the
    level's custom message, when the caller has it (else the level is read)."""
    error = incident.last_check_data or {}
    first = incident.first_error
    first_data = {"check_id": first.check_id, "check_url": first.check_url} if first else {}
    if level_message is None:
        level_message = alert.level.message if alert.level is not None else ""
    ssl = (ok_check or {}).get("ssl_valid_until") or error.get("ssl_valid_until", "")

    values: dict[str, str] = {
        "@account.accountId": str(settings.ACCOUNT_ID),
        "@alert.alertGuid": str(alert.guid),
        "@alert.checkpointName": str((ok_check or error).get("checkpoint") or error.get("checkpoint", "")),
        "@alert.description": str(error.get("description", "")),
        "@alert.downtimeDuration": (
            duration(ok_at - incident.opened_at) if alert.alert_type == "Ok" and ok_at else ""
        ),
        "@alert.errorTypeId": str(error.get("error_type_id", "")),
        "@alert.failureMessage": str(error.get("failure_message", "")),
        "@alert.firstErrorCheckId": str(first_data.get("check_id") or incident.first_error_id or ""),
        "@alert.firstErrorCheckUrl": check_url(incident.first_error_id, first_data.get("check_url", "")),
        "@alert.firstErrorDescription": incident.first_error_description,
        "@alert.numberOfConsecutiveErrors": str(incident.consecutive_errors),
        "@alert.resolvedIpAddress": str(error.get("resolved_ip", "")),
        "@alert.responseHeaders": str(error.get("response_headers", "")),
        "@alert.responseBody": str(error.get("response_body", "")),
        "@alert.serverIpv4": str(error.get("server_ipv4", "")),
        "@alert.serverIpv6": str(error.get("server_ipv6", "")),
        "@alert.sslValidUntil": str(ssl),
        "@alert.type": alert.alert_type,
        "@alertDefinition.guid": str(alert.definition_id) if alert.definition_id else "",
        "@alertDefinition.name": alert.definition_name,
        "@escalationLevel.id": str(alert.level_number),
        "@escalationLevel.message": level_message,
        "@incident.key": incident.key,
        "@incident.acknowledgedBy": incident.acknowledged_by if incident.acknowledged_at else "",
        "@incident.acknowledgementNote": incident.acknowledgement_note if incident.acknowledged_at else "",
        "@monitor.dashboardUrl": monitor.dashboard_url(),
        "@monitor.editUrl": monitor.edit_url(),
        "@monitor.monitorGuid": str(monitor.pk),
        "@monitor.name": monitor.name,
        "@monitor.notes": monitor.notes,
        "@monitor.type": monitor.monitor_type,
        "@monitor.url": monitor.url,
    }
    values.update(times("firstError", incident.opened_at))
    values.update(times("timestamp", alert.timestamp))
    for name, value in (monitor.custom_fields or {}).items():
        values[f"{CUSTOM_FIELD_PREFIX}({name})"] = str(value)
    return values
