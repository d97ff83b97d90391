"""The operator page's test buttons: a test alert through the built-in E-mail
or SMS integration, with the catalogue's example values."""

from __future__ import annotations

import requests

from alerting.models import Operator

CHANNELS = {"email": ("e-mail", "email"), "sms": ("SMS", "mobile_phone")}


def send_operator_test(operator: Operator, channel: str) -> tuple[bool, str]:
    """Send it; return (sent, a sentence for the page)."""
    from integrations import sending
    from integrations.models import Integration
    from integrations.transports.base import TransportError

    label, field = CHANNELS[channel]
    recipient = getattr(operator, field)
    if not recipient:
        what = "e-mail address" if channel == "email" else "mobile phone number"
        return False, f"{operator} has no {what}; add one and save first."
    integration = Integration.objects.filter(kind=channel, is_builtin=True).first()
    if integration is None:
        return False, f"There is no built-in {label} integration to send with."
    try:
        exchanges = sending.send_test(integration, "Alert", recipient=recipient)
    except TransportError as exc:
        return False, f"Test {label} to {recipient} failed: {exc}"
    except (ValueError, requests.RequestException) as exc:
        return False, f"Test {label} to {recipient} failed: {exc}"
    status = next((e.status for e in exchanges if e.status), None)
    answer = f" (answer: {status})" if status else ""
    return True, f"Test {label} sent to {recipient} through “{integration}”{answer}."
