"""One message, resolved to plain values.

``integrations.sending`` builds it from a Message (or from the catalogue's
example values for a test): no model row, no template left in it.
``integrations.rendering`` renders each step into a ``Request`` from these
values, or ``integrations.composing`` writes a built-in kind's (Slack,
PagerDuty, Twilio, e-mail) vendor request or e-mail from them; the webhook
transport sends a step's request with the message's redactor, timeouts and
signing secrets.
"""

from __future__ import annotations

from dataclasses import dataclass

from integrations.transports.redact import Redactor


@dataclass(frozen=True)
class Outgoing:
    kind: str  # the integration's kind: "webhook", "email", "sms", "phone", ...
    alert_type: str  # "Alert", "Ok", "Reminder" or "Acknowledged"
    # The variables snapshot: everything a template can name, system variables
    # ("@alert.type"), custom fields ("@CustomField(X)") and the integration's
    # variables ("ApiUrl"), all as text.
    context: dict[str, str]
    # The integration's own variables alone (fixed values and this level's values).
    variables: dict[str, str]
    message_id: str
    # Every secret the message may carry; rendering adds the credentials it
    # renders and the values captured as secret.
    redactor: Redactor
    timeout: tuple[float, float]  # (connect, read) seconds
    recipient: str = ""
    # Build and show the requests, send nothing (previews and --dry-run).
    dry_run: bool = False
    # Each request of a step is signed with each of these (HMAC-SHA256).
    signing_secrets: tuple[str, ...] = ()
    # Phone calls for a real incident: where Twilio posts the key pressed
    # ("press 1 to acknowledge"); empty for test calls.
    voice_callback_url: str = ""
    # What alertsite writes itself (e-mail text, SMS, speech) is in this Django
    # language, with times in this zone: the operator's, else the account's.
    language: str = ""
    time_zone: str = ""

    def var(self, name: str, default: str = "") -> str:
        value = self.variables.get(name, "")
        return value if value != "" else default

    def system(self, name: str) -> str:
        return self.context.get(name, "")
