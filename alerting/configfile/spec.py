"""Which fields of each model the document holds, in document order."""

from __future__ import annotations

from typing import Any

from django.db import models

from alerting.configfile import values
from alerting.models.monitors import HEARTBEAT_FIELDS
from alertsite.db.columns import forward_field

OPERATOR = (
    "email",
    "full_name",
    "mobile_phone",
    "backup_email",
    "is_active",
    "is_on_duty",
    "language",
    "time_zone",
)
WINDOW = ("mode", "start_datetime", "end_datetime", "weekday", "month_day", "start_time", "end_time")
SCHEDULE = (*WINDOW, "description")
MONITOR = (
    "key",
    "name",
    "monitor_type",
    "url",
    "notes",
    "custom_fields",
    "name_for_phone_alerts",
    "is_active",
    "generate_alerts",
    *HEARTBEAT_FIELDS,
)
MAINTENANCE = ("maintenance_type", "description", *WINDOW)
INTEGRATION = (
    "name",
    "kind",
    "preset",
    "is_active",
    "customized",
    "description",
    "rate_limit_per_minute",
    "connect_timeout",
    "read_timeout",
)
INTEGRATION_SECRETS = ("signing_secrets",)
VARIABLE = ("name", "mode", "is_secret", "value", "description")
VARIABLE_SECRETS = ("secret_value",)
STEP = (
    "position",
    "name",
    "handles_alert",
    "handles_ok",
    "handles_reminder",
    "handles_acknowledged",
    "method",
    "url",
    "headers",
    "body",
    "content_type",
    "auth_type",
    "auth_username",
    "captures",
)
STEP_SECRETS = ("auth_password", "auth_token")
SERVICE = ("name",)
SERVICE_SECRETS = ("webhook_url",)
DEFINITION = ("name", "is_active")
LEVEL = (
    "number",
    "is_active",
    "mode",
    "threshold",
    "number_of_reminders",
    "reminder_delay_minutes",
    "message",
)
LINK = (
    "is_active",
    "send_ok_alerts",
    "send_reminders",
    "variable_values",
    "extra_email_addresses",
    "statushub_service_links",
)


def row(obj: models.Model, names: tuple[str, ...]) -> dict[str, Any]:
    """The fields of ``obj`` in canonical form, leaving out empty optional ones (None)."""
    out: dict[str, Any] = {}
    for name in names:
        value = values.dump(forward_field(obj, name), getattr(obj, name))
        if value is not None:
            out[name] = value
    return out


def default(model: type[models.Model], name: str) -> Any:
    field = forward_field(model, name)
    return values.dump(field, field.get_default()) if field.has_default() or field.null else ""
