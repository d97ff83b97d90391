"""Preview and test sends from the integration editor, of the form as it
stands: nothing is saved (``integrations.admin.drafts`` builds the unsaved
integration). Both use the helpers in ``integrations.sending`` (example values
for every system variable, the integration's own values, secrets redacted).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import requests

from integrations import kinds, sending
from integrations.admin.drafts import Draft
from integrations.template_warnings import known_values, steps_warnings
from integrations.transports.base import Exchange, TransportError


@dataclass
class TestResult:
    action: str  # "preview" or "send"
    alert_type: str
    ok: bool
    error: str = ""
    exchanges: list[dict[str, Any]] = field(default_factory=list)
    # The form's errors: nothing was previewed or sent.
    problems: list[str] = field(default_factory=list)
    # The editor's checks of what was previewed (e.g. a body hostile values break).
    warnings: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        if self.problems:
            what = "previewed" if self.action == "preview" else "sent"
            return f"Nothing was {what}: correct the form first"
        if self.action == "preview":
            return f"Preview of a test {self.alert_type} message (nothing was sent, nothing was saved)"
        outcome = "sent" if self.ok else "failed"
        return f"Test {self.alert_type} message {outcome} (nothing was saved)"


def _exchange(exchange: Exchange) -> dict[str, Any]:
    data = asdict(exchange)
    request = dict(data.get("request") or {})
    request.setdefault("headers", {})
    data["request"] = request
    return data


def run(
    draft: Draft,
    *,
    action: str,
    alert_type: str = "Alert",
    level: int = 1,
    level_values: dict[str, str] | None = None,
    recipient: str = "",
) -> TestResult:
    """Preview (build only) or send a test alert of the unsaved ``draft``;
    never raises for a refusal."""
    if draft.problems:
        return TestResult(action, alert_type, False, problems=draft.problems)
    integration, parts = draft.integration, draft.parts
    names = {v.name for v in parts.variables} | set(kinds.step_variables(integration.kind))
    warnings = steps_warnings(parts.steps, names, known_values(parts.variables))
    values = level_values or {}
    try:
        exchanges = sending.send_test(
            integration,
            alert_type,
            level,
            recipient=recipient,
            level_variables=values,
            dry_run=action == "preview",
            parts=parts,
        )
    except TransportError as exc:
        # A failed connection reads as one line; its detail is in the exchange.
        summary = exc.exchanges[-1].summary if exc.exchanges else ""
        return TestResult(
            action,
            alert_type,
            False,
            summary or str(exc),
            [_exchange(e) for e in exc.exchanges],
            warnings=warnings,
        )
    except (ValueError, requests.RequestException) as exc:
        return TestResult(action, alert_type, False, str(exc), warnings=warnings)
    if not exchanges:
        return TestResult(
            action,
            alert_type,
            True,
            f"This integration sends nothing for {alert_type} alerts.",
            [],
            warnings=warnings,
        )
    return TestResult(action, alert_type, True, "", [_exchange(e) for e in exchanges], warnings=warnings)
