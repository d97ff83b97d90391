"""E-mail through Django's e-mail backend (SMTP, or a provider through
Anymail when EMAIL_BACKEND names one). The ``Mail`` arrives composed
(``integrations.composing.email``); here it is handed to the backend and the
answer classified: a refused recipient is permanent, an SMTP or network
error transient, a provider's 4xx (other than 408/429) permanent."""

from __future__ import annotations

import smtplib

from django.core.mail import EmailMultiAlternatives
from django.utils.translation import gettext as _

from integrations.transports.base import Exchange, Mail, TransportError
from integrations.transports.http import MAX_EXCERPT_BYTES
from integrations.transports.redact import Redactor


def send(mail: Mail, *, redactor: Redactor, dry_run: bool = False) -> list[Exchange]:
    """Send ``mail`` (or with ``dry_run`` only show it); TransportError on failure."""
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.text,
        from_email=mail.from_email,
        to=list(mail.to),
        headers=dict(mail.headers),
    )
    if mail.html is not None:
        message.attach_alternative(mail.html, "text/html")
    to = ", ".join(mail.to)
    exchange = Exchange(
        request={
            "method": "EMAIL",
            "url": f"mailto:{','.join(mail.to)}",
            "headers": {"From": mail.from_email, "To": to, "Subject": mail.subject},
            "body": redactor.text(mail.text[:MAX_EXCERPT_BYTES]),
        }
    )
    if dry_run:
        return [exchange]
    try:
        sent = message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        exchange.error = _("Recipient refused: %(error)s") % {"error": exc}
        raise TransportError(exchange.error, permanent=True, exchanges=[exchange]) from None
    except (smtplib.SMTPException, OSError) as exc:
        exchange.error = f"{type(exc).__name__}: {exc}"
        raise TransportError(exchange.error, exchanges=[exchange]) from None
    except Exception as exc:
        # Anymail raises its own errors; a 4xx from the provider will not
        # change on retry, anything else may.
        status = getattr(exc, "status_code", None)
        if not type(exc).__module__.startswith("anymail"):
            raise
        exchange.error = f"{type(exc).__name__}: {exc}"[:1000]
        permanent = status is not None and 400 <= status < 500 and status not in (408, 429)
        raise TransportError(exchange.error, permanent=permanent, exchanges=[exchange]) from None
    exchange.status = 250 if sent else None
    exchange.body = "Accepted by the e-mail backend." if sent else "The backend sent nothing."
    return [exchange]
