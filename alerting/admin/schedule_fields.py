"""The fields of a schedule window (off-duty schedules, maintenance periods)
as the admin lays them out: what belongs together on one row."""

from __future__ import annotations

SCHEDULE_FIELDS = (
    ("mode", "description"),
    ("start_datetime", "end_datetime"),
    ("weekday", "month_day"),
    ("start_time", "end_time"),
)
