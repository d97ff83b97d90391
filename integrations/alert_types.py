"""Which flag of an integration step says it handles each alert type.

One mapping for the model, the presets, the configuration snapshot and the
step chains; it imports nothing, so any of them may use it."""

from __future__ import annotations

STEP_FLAGS = {
    "Alert": "handles_alert",
    "Ok": "handles_ok",
    "Reminder": "handles_reminder",
    "Acknowledged": "handles_acknowledged",
}
