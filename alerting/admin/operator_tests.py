"""The operator page's test buttons: a test alert through the built-in E-mail
or SMS integration, with the catalogue's example values."""

from __future__ import annotations

import requests
from django.utils.translation import gettext

from alerting.models import Operator

CHANNELS = {"email": "email", "sms": "mobile_phone"}


def send_operator_test(operator: Operator, channel: str) -> tuple[bool, str]:
    """Send it; return (sent, a sentence for the page)."""
    from integrations import sending
    from integrations.models import Integration
    from integrations.transports.base import TransportError

    email = channel == "email"
    recipient = getattr(operator, CHANNELS[channel])
    if not recipient:
        if email:
            return False, gettext("%(operator)s has no e-mail address; add one and save first.") % {
                "operator": operator
            }
        return False, gettext("%(operator)s has no mobile phone number; add one and save first.") % {
            "operator": operator
        }
    integration = Integration.objects.filter(kind=channel, is_builtin=True).first()
    if integration is None:
        if email:
            return False, gettext("There is no built-in e-mail integration to send with.")
        return False, gettext("There is no built-in SMS integration to send with.")
    failed = (
        gettext("Test e-mail to %(recipient)s failed: %(error)s")
        if email
        else gettext("Test SMS to %(recipient)s failed: %(error)s")
    )
    try:
        exchanges = sending.send_test(integration, "Alert", recipient=recipient)
    except (TransportError, ValueError, requests.RequestException) as exc:
        return False, failed % {"recipient": recipient, "error": exc}
    status = next((e.status for e in exchanges if e.status), None)
    values = {"recipient": recipient, "integration": integration, "status": status}
    if email:
        sent = (
            gettext("Test e-mail sent to %(recipient)s through “%(integration)s” (answer: %(status)s).")
            if status
            else gettext("Test e-mail sent to %(recipient)s through “%(integration)s”.")
        )
    else:
        sent = (
            gettext("Test SMS sent to %(recipient)s through “%(integration)s” (answer: %(status)s).")
            if status
            else gettext("Test SMS sent to %(recipient)s through “%(integration)s”.")
        )
    return True, sent % values
