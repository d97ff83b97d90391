"""E-mail through Django's e-mail backend (SMTP, or a provider through
Anymail when EMAIL_BACKEND names one): a plain-text body and, unless the
integration's UseHtml is "false", an HTML body, both from ``templates/email/``;
the subject per alert type may hold variables."""

from __future__ import annotations

import smtplib
from collections import defaultdict

import requests
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from integrations import catalogue, kinds
from integrations.templating import render
from integrations.transports.base import Exchange, TransportError
from integrations.transports.http import MAX_EXCERPT_BYTES
from integrations.transports.outgoing import Outgoing
from integrations.transports.slack import cut

SUBJECT_LIMIT = 200


def notify(out: Outgoing, session: requests.Session) -> list[Exchange]:
    if not out.recipient:
        raise TransportError("E-mail: no address to send to.", permanent=True)
    message = build(out)
    exchange = Exchange(
        request={
            "method": "EMAIL",
            "url": f"mailto:{out.recipient}",
            "headers": {"From": message.from_email, "To": out.recipient, "Subject": message.subject},
            "body": out.redactor.text(message.body[:MAX_EXCERPT_BYTES]),
        }
    )
    if out.dry_run:
        return [exchange]
    try:
        sent = message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        exchange.error = f"Recipient refused: {exc}"
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


def subject(out: Outgoing) -> str:
    name = f"Subject{out.alert_type}"
    default = next((s.default for s in kinds.variable_specs("email") if s.name == name), "{{@monitor.name}}")
    text = render(out.var(name, default), out.context, functions=out.functions)
    return cut(" ".join(text.split()), SUBJECT_LIMIT)


def build(out: Outgoing) -> EmailMultiAlternatives:
    context = template_context(out)
    text = render_to_string("email/alert.txt", context)
    message = EmailMultiAlternatives(
        subject=subject(out),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[out.recipient],
        headers={"X-Alertsite-Message-Id": out.message_id},
    )
    if out.var("UseHtml", "true").lower() != "false":
        message.attach_alternative(render_to_string("email/alert.html", context), "text/html")
    return message


def template_context(out: Outgoing) -> dict:
    groups: dict[str, dict[str, str]] = defaultdict(dict)
    for variable in (*catalogue.variables(), *catalogue.extensions()):
        groups[variable.group][variable.key] = out.system(variable.name)
    return {"alert_type": out.alert_type, **groups}
