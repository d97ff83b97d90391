"""Each integration resource's fields, defined once.

The admin forms, the API serializers and the config file take their field
lists from here (see ``alerting.field_lists``, which says why). Secrets are
listed apart: every face accepts them and none shows them back.
"""

from __future__ import annotations

from alerting.field_lists import Rows, flat

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

# A level's use of one integration (``LevelIntegration``).
LINK_ROWS: Rows = (
    ("integration", "is_active"),
    ("send_ok_alerts", "send_reminders"),
    ("variable_values",),
    ("extra_email_addresses",),
    ("statushub_service_links",),
)
# Without the integration, which each face names its own way (by id, by name).
LINK = tuple(name for name in flat(LINK_ROWS) if name != "integration")

# A variable's columns in the admin's table; the API and the config file take
# the list order as the position.
VARIABLE_COLUMNS = ("name", "mode", "is_secret", "value", "secret_value", "description")
VARIABLE_SECRETS = ("secret_value",)
VARIABLE = tuple(name for name in VARIABLE_COLUMNS if name not in VARIABLE_SECRETS)

# A step's fields in the admin's rows; secrets are in their row too.
STEP_ROWS: Rows = (
    ("handles_alert", "handles_ok", "handles_reminder", "handles_acknowledged"),
    ("position", "name"),
    ("method", "url"),
    ("content_type",),
    ("headers",),
    ("body",),
    ("auth_type", "auth_username", "auth_password", "auth_token"),
    ("captures",),
)
STEP_SECRETS = ("auth_password", "auth_token")
STEP = tuple(name for name in flat(STEP_ROWS) if name not in STEP_SECRETS)

SERVICE = ("name",)
SERVICE_SECRETS = ("webhook_url",)

# User-defined functions in the admin's rows; the API and the config file
# take the list order as the position.
FUNCTION_ROWS: Rows = (
    ("name", "kind", "position"),
    ("description",),
    ("mapping", "default_value"),
    ("pattern",),
    ("algorithm", "hash_key", "encoding"),
)
FUNCTION_SECRETS = ("hash_key",)
FUNCTION = tuple(name for name in flat(FUNCTION_ROWS) if name not in (*FUNCTION_SECRETS, "position"))

VAULT = ("name", "description", "username")
VAULT_SECRETS = ("password", "secret")
