"""What a transport is given: one message, already resolved to plain values.

``integrations.sending`` builds it from a Message (or from the catalogue's
example values for a test); a transport reads it and sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from integrations.templating.functions import UserFunction
from integrations.transports.redact import Redactor

if TYPE_CHECKING:
    from integrations.models import Integration, IntegrationStep


@dataclass
class Outgoing:
    integration: Integration
    alert_type: str  # "Alert", "Ok", "Reminder" or "Acknowledged"
    # Everything a template can name: system variables ("@alert.type"),
    # custom fields ("@CustomField(X)") and the integration's variables ("ApiUrl").
    context: dict[str, str]
    # The integration's own variables alone (fixed values and this level's values).
    variables: dict[str, str]
    message_id: str
    redactor: Redactor
    timeout: tuple[float, float]
    recipient: str = ""
    # StatusHub: (service name, hook URL) for the services linked to this monitor.
    statushub_services: list[tuple[str, str]] = field(default_factory=list)
    # Build and show the requests, send nothing (previews and --dry-run).
    dry_run: bool = False
    # The integration's user-defined functions, by name, their keys resolved.
    functions: dict[str, UserFunction] = field(default_factory=dict)
    # Phone calls for a real incident: where Twilio posts the key pressed
    # ("press 1 to acknowledge"); empty for test calls.
    voice_callback_url: str = ""
    # What alertsite writes itself (e-mail text, SMS, speech) is in this Django
    # language, with times in this zone: the operator's, else the account's.
    language: str = ""
    time_zone: str = ""
    # The integration's steps, in order: as stored, or as the editor holds
    # them unsaved for a preview or test send.
    steps: list[IntegrationStep] = field(default_factory=list)

    def var(self, name: str, default: str = "") -> str:
        value = self.variables.get(name, "")
        return value if value != "" else default

    def system(self, name: str) -> str:
        return self.context.get(name, "")
