"""Slack incoming webhook: Block Kit in an attachment (for the colour bar by
alert type), with a plain-text ``text`` as the notification fallback, in the
account's language (a channel has no reader of its own)."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alertsite.i18n import local_time
from integrations.composing.text import cut, json_body, reader_language
from integrations.transports.base import Request, TransportError
from integrations.transports.outgoing import Outgoing

COLOURS = {"Alert": "#E01E5A", "Reminder": "#ECB22E", "Ok": "#2EB67D"}
HEADER_LIMIT = 150
SECTION_LIMIT = 3000
TEXT_LIMIT = 3000
# The alert types as people read them (the Uptrends names are "Alert", "Ok", …).
TYPE_LABELS = {
    "Alert": gettext_lazy("Alert"),
    "Ok": gettext_lazy("Ok"),
    "Reminder": gettext_lazy("Reminder"),
    "Acknowledged": gettext_lazy("Acknowledged"),
}


def request(out: Outgoing) -> Request:
    """The POST to the channel's webhook URL."""
    url = out.var("WebhookUrl")
    if not url:
        raise TransportError(_("Slack: the WebhookUrl variable is empty."), permanent=True)
    return Request("POST", url, {"Content-Type": "application/json; charset=utf-8"}, json_body(payload(out)))


def payload(out: Outgoing) -> dict[str, Any]:
    """The message in the channel's language: the account's."""
    language = reader_language(out)
    with translation.override(language):
        return _payload(out, language)


def _payload(out: Outgoing, language: str) -> dict[str, Any]:
    s = out.system
    kind = str(TYPE_LABELS.get(out.alert_type, out.alert_type))
    title = cut(f"{kind}: {s('@monitor.name')}", HEADER_LIMIT)
    lines = [f"*{_('Recovered after:') if out.alert_type == 'Ok' else _('Error:')}* "]
    lines[0] += escape(s("@alert.downtimeDuration") if out.alert_type == "Ok" else s("@alert.description"))
    if s("@monitor.url"):
        lines.append(f"*{_('Checked:')}* {escape(s('@monitor.url'))}")
    zone = out.time_zone or settings.TIME_ZONE
    first_error = local_time(s("@alert.firstErrorUtc"), zone, language)
    if first_error:
        label = _("First error (%(zone)s):") % {"zone": zone}
        lines.append(f"*{label}* {escape(first_error)}")
    links = [
        f"<{s(name)}|{label}>"
        for name, label in (
            ("@monitor.dashboardUrl", _("Monitor dashboard")),
            ("@alert.firstErrorCheckUrl", _("First error")),
            ("@monitor.editUrl", _("Monitor settings")),
        )
        if s(name).startswith(("http://", "https://")) and not any(c in s(name) for c in "<>|")
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": title}},
        {"type": "section", "text": {"type": "mrkdwn", "text": cut("\n".join(lines), SECTION_LIMIT)}},
    ]
    message = s("@escalationLevel.message")
    if message:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": escape_cut(message, SECTION_LIMIT)}}
        )
    if links:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(links)}]})
    ack = s("@incident.acknowledgeUrl")
    if out.alert_type != "Ok" and ack.startswith(("http://", "https://")):
        # A link button: Slack opens the page, which asks before acknowledging.
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": _("Acknowledge")},
                        "url": ack,
                        "style": "primary",
                        "action_id": "acknowledge",
                    }
                ],
            }
        )
    # Top-level text and the attachment fallback are mrkdwn too: unescaped,
    # "<!channel>" in a description would ping the whole channel.
    fallback = escape_cut(f"{kind}: {s('@monitor.name')} – {s('@alert.description')}", TEXT_LIMIT)
    return {
        "text": fallback,
        "attachments": [
            {"color": COLOURS.get(out.alert_type, "#E01E5A"), "fallback": fallback, "blocks": blocks}
        ],
    }


def escape(text: str) -> str:
    # Slack's mrkdwn treats these three as control characters.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_PARTIAL_ENTITY = re.compile(r"&[a-z]*$")


def escape_cut(text: str, limit: int) -> str:
    """Escape, then cut to ``limit`` without leaving half an entity (``&am…``)."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    return _PARTIAL_ENTITY.sub("", escaped[: limit - 1]) + "…"
