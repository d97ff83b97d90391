"""Preview and test sends from the integration editor.

Both use the integ helpers in ``integrations.sending`` (example values for
every system variable, the integration's own values, secrets redacted); the
result is kept in the session for one page view so that the editor can show
it after its save-and-redirect.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import requests
from django.http import HttpRequest

from integrations import sending
from integrations.models import Integration
from integrations.transports.base import Exchange, TransportError

SESSION_KEY = "integration-test:{pk}"


@dataclass
class TestResult:
    action: str  # "preview" or "send"
    alert_type: str
    ok: bool
    error: str = ""
    exchanges: list[dict[str, Any]] = field(default_factory=list)

    @property
    def title(self) -> str:
        if self.action == "preview":
            return f"Preview of a test {self.alert_type} message (nothing was sent)"
        outcome = "sent" if self.ok else "failed"
        return f"Test {self.alert_type} message {outcome}"


def _exchange(exchange: Exchange) -> dict[str, Any]:
    data = asdict(exchange)
    request = dict(data.get("request") or {})
    request.setdefault("headers", {})
    data["request"] = request
    return data


def run(
    integration: Integration,
    *,
    action: str,
    alert_type: str = "Alert",
    level: int = 1,
    level_values: dict[str, str] | None = None,
    recipient: str = "",
) -> TestResult:
    """Preview (build only) or send a test alert; never raises for a refusal."""
    values = level_values or {}
    try:
        if action == "preview":
            exchanges = sending.preview(
                integration, alert_type, level, recipient=recipient, level_variables=values
            )
        else:
            exchanges = sending.send_test(
                integration, alert_type, level, recipient=recipient, level_variables=values
            )
    except TransportError as exc:
        return TestResult(action, alert_type, False, str(exc), [_exchange(e) for e in exc.exchanges])
    except (ValueError, requests.RequestException) as exc:
        return TestResult(action, alert_type, False, str(exc))
    if not exchanges:
        return TestResult(
            action, alert_type, True, f"This integration sends nothing for {alert_type} alerts.", []
        )
    return TestResult(action, alert_type, True, "", [_exchange(e) for e in exchanges])


def remember(request: HttpRequest, integration: Integration, result: TestResult) -> None:
    request.session[SESSION_KEY.format(pk=integration.pk)] = asdict(result)


def recall(request: HttpRequest, pk: object) -> TestResult | None:
    data = request.session.pop(SESSION_KEY.format(pk=pk), None)
    return TestResult(**data) if data else None
