"""E-mail: a plain-text body and, unless the integration's UseHtml is
"false", an HTML body, both from ``templates/email/``, in the reader's
language with times in the reader's zone. The subject per alert type is a
template over the message's variables, rendered here and made one header
line."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from alertsite.i18n import local_time
from integrations import catalogue, kinds
from integrations.composing.text import cut, reader_language
from integrations.templating import render
from integrations.templating.functions import UserFunction
from integrations.transports.base import Mail, TransportError
from integrations.transports.outgoing import Outgoing

SUBJECT_LIMIT = 200
# kinds.json's default subjects, listed for the translation catalogues (a test
# keeps the two equal). A subject left at its default is sent translated.
DEFAULT_SUBJECTS = (
    gettext_noop("Alert: {{@monitor.name}} is failing"),
    gettext_noop("Ok: {{@monitor.name}} is back"),
    gettext_noop("Reminder: {{@monitor.name}} is still failing"),
)


def mail(out: Outgoing, functions: Mapping[str, UserFunction]) -> Mail:
    """The e-mail to ``out.recipient``; ``functions`` are the integration's
    user-defined functions, which the subject may call."""
    subject = subject_line(rendered_subject(out, functions))
    if not out.recipient:
        raise TransportError(_("E-mail: no address to send to."), permanent=True)
    with translation.override(reader_language(out)):
        context = template_context(out)
        text = render_to_string("email/alert.txt", context)
        html = None
        if out.var("UseHtml", "true").lower() != "false":
            html = render_to_string("email/alert.html", context)
    return Mail(
        subject=subject,
        text=text,
        html=html,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=(out.recipient,),
        headers={"X-Alertsite-Message-Id": out.message_id},
    )


def rendered_subject(out: Outgoing, functions: Mapping[str, UserFunction]) -> str:
    """The subject for the alert type, rendered in the reader's language (a
    subject left at its default is sent translated)."""
    name = f"Subject{out.alert_type}"
    default = next((s.default for s in kinds.variable_specs("email") if s.name == name), "{{@monitor.name}}")
    template = out.var(name, default)
    with translation.override(reader_language(out)):
        if template == default:
            template = _(default)
        return render(template, out.context, functions=functions)


def subject_line(text: str) -> str:
    """The rendered subject as one header line of at most SUBJECT_LIMIT characters."""
    return cut(" ".join(text.split()), SUBJECT_LIMIT)


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
