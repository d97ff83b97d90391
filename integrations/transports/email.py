"""E-mail through Django's e-mail backend (SMTP, or a provider through
Anymail when EMAIL_BACKEND names one): a plain-text body and, unless the
integration's UseHtml is "false", an HTML body, both from ``templates/email/``.
The subject per alert type may hold variables: ``integrations.rendering``
renders it into ``Outgoing.subject``; here it becomes one header line."""

from __future__ import annotations

import smtplib
from collections import defaultdict
from typing import Any

import requests
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from alertsite.i18n import local_time
from integrations import catalogue
from integrations.transports.base import Exchange, TransportError
from integrations.transports.http import MAX_EXCERPT_BYTES
from integrations.transports.outgoing import Outgoing
from integrations.transports.slack import cut

SUBJECT_LIMIT = 200


def notify(out: Outgoing, session: requests.Session) -> list[Exchange]:
    if not out.recipient:
        raise TransportError(_("E-mail: no address to send to."), permanent=True)
    with translation.override(out.language or settings.ACCOUNT_LANGUAGE):
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


def subject_line(text: str) -> str:
    """The rendered subject as one header line of at most SUBJECT_LIMIT characters."""
    return cut(" ".join(text.split()), SUBJECT_LIMIT)


def build(out: Outgoing) -> EmailMultiAlternatives:
    context = template_context(out)
    text = render_to_string("email/alert.txt", context)
    message = EmailMultiAlternatives(
        subject=subject_line(out.subject),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[out.recipient],
        headers={"X-Alertsite-Message-Id": out.message_id},
    )
    if out.var("UseHtml", "true").lower() != "false":
        message.attach_alternative(render_to_string("email/alert.html", context), "text/html")
    return message


def template_context(out: Outgoing) -> dict[str, Any]:
    """The templates' context, in the active language: the variables by group
    and the rows and links, labelled and with times in the reader's zone."""
    groups: dict[str, dict[str, str]] = defaultdict(dict)
    for variable in (*catalogue.variables(), *catalogue.extensions()):
        groups[variable.group][variable.key] = out.system(variable.name)
    language = translation.get_language() or settings.ACCOUNT_LANGUAGE
    zone = out.time_zone or settings.TIME_ZONE
    s = out.system
    rows = [
        (_("Error:"), s("@alert.description")),
        (
            _("Monitor:"),
            f"{s('@monitor.name')} ({s('@monitor.type')})" if s("@monitor.type") else s("@monitor.name"),
        ),
        (_("Checked:"), s("@monitor.url")),
        (_("First error:"), f"{local_time(s('@alert.firstErrorUtc'), zone, language)} ({zone})"),
        (_("This alert:"), f"{local_time(s('@alert.timestampUtc'), zone, language)} ({zone})"),
        (_("Checkpoint:"), s("@alert.checkpointName")),
        (
            _("Alert definition:"),
            _("%(definition)s, level %(level)s")
            % {"definition": s("@alertDefinition.name"), "level": s("@escalationLevel.id")},
        ),
        (_("Incident:"), s("@incident.key")),
    ]
    links = [
        (_("Monitor dashboard"), s("@monitor.dashboardUrl")),
        (_("First error"), s("@alert.firstErrorCheckUrl")),
        (_("Monitor settings"), s("@monitor.editUrl")),
    ]
    ack_label = _("Acknowledge:")
    # The plain-text part lines labels up: links get a colon there too.
    text_links = [(_("%(label)s:") % {"label": label}, url) for label, url in links]
    width = max(len(label) for label, _value in [*rows, *text_links, (ack_label, "")]) + 1
    return {
        "alert_type": out.alert_type,
        "language": language,
        "rows": rows,
        "html_rows": [(label.rstrip(" :\u00a0"), value) for label, value in rows],
        "links": links,
        "text_links": text_links,
        "ack_label": ack_label,
        "width": width,
        **groups,
    }
