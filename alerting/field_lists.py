"""Each alerting resource's fields, defined once.

The admin forms, the API serializers and the config file
(``alerting.configfile``) take their field lists from here, so a field added to
a model reaches the three faces in one place; ``tests/foundation/
test_field_lists.py`` fails when a model field is in none of these lists nor
named as internal.

Rows group what the admin shows side by side (``rows``); the API and the
config file read the same fields flattened, in the same order.
Relations each face represents its own way (operators by id in the API, by
e-mail in the config file) are listed apart, under ``*_RELATIONS``.
"""

from __future__ import annotations

from alerting.models.monitors import HEARTBEAT_FIELDS
from alerting.models.schedules import WINDOW_FIELDS

Rows = tuple[tuple[str, ...], ...]


def flat(rows: Rows) -> tuple[str, ...]:
    return tuple(name for row in rows for name in row)


def rows(layout: Rows) -> tuple[str | tuple[str, ...], ...]:
    """The admin's ``fields`` option: a one-field row as the plain name."""
    return tuple(row[0] if len(row) == 1 else row for row in layout)


OPERATOR_CONTACT = ("full_name", "email", "mobile_phone", "backup_email")
OPERATOR_ALERTING = ("is_active", "is_on_duty", "language", "time_zone")
OPERATOR = (*OPERATOR_CONTACT, *OPERATOR_ALERTING)

# An off-duty schedule or a maintenance period: its window and description.
SCHEDULE_ROWS: Rows = (
    ("mode", "description"),
    ("start_datetime", "end_datetime"),
    ("weekday", "month_day"),
    ("start_time", "end_time"),
)
SCHEDULE = flat(SCHEDULE_ROWS)
assert set(SCHEDULE) == {*WINDOW_FIELDS, "description"}
MAINTENANCE_ROWS: Rows = (("maintenance_type",), *SCHEDULE_ROWS)
MAINTENANCE = flat(MAINTENANCE_ROWS)
# Where a maintenance period applies: one monitor or one monitor group.
MAINTENANCE_RELATIONS = ("monitor", "monitor_group")

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

DEFINITION = ("name", "is_active")
DEFINITION_RELATIONS = ("monitor_groups", "monitors")

LEVEL_ROWS: Rows = (
    ("number", "is_active"),
    ("mode", "threshold"),
    ("number_of_reminders", "reminder_delay_minutes"),
    ("message",),
)
LEVEL = flat(LEVEL_ROWS)
LEVEL_RELATIONS = ("operators", "operator_groups")
