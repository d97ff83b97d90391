"""Twilio SMS (``Messages.json``) and voice calls (``Calls.json`` with TwiML
that speaks the alert). Both are form-encoded with HTTP Basic auth. A phone
call never announces an OK. Text is cut to Twilio's limits: an SMS body of
1600 characters, inline TwiML of 4000. An SMS or Phone integration with steps
of its own sends through that generic HTTP gateway instead
(``integrations.rendering`` renders them, with ``sms_text`` as ``{{Text}}``).

A call for a real incident asks "press 1 to acknowledge" (``<Gather>``);
``integrations.voice`` takes Twilio's post of the key pressed."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alertsite.i18n import SPEECH_LANGUAGES, local_time
from integrations.transports import http
from integrations.transports.base import Exchange, TransportError
from integrations.transports.escape import xml_text
from integrations.transports.outgoing import Outgoing
from integrations.transports.slack import cut

DEFAULT_BASE_URL = "https://api.twilio.com/2010-04-01"
SMS_LIMIT = 1600
TWIML_LIMIT = 4000
PRESS_1 = gettext_lazy("Press 1 to acknowledge.")


def silent(out: Outgoing) -> bool:
    """A phone call is only made for an alert or a reminder: nobody is woken
    to hear that all is well, or that someone is on it (a gateway too)."""
    return out.kind == "phone" and out.alert_type not in ("Alert", "Reminder")


def notify(out: Outgoing, session: requests.Session) -> list[Exchange]:
    if silent(out):
        return []
    phone = out.kind == "phone"
    sid, token, sender = out.var("TwilioAccountSid"), out.var("TwilioAuthToken"), out.var("FromNumber")
    missing = [
        n for n, v in (("TwilioAccountSid", sid), ("TwilioAuthToken", token), ("FromNumber", sender)) if not v
    ]
    if missing:
        raise TransportError(_("Twilio: %(names)s not set.") % {"names": ", ".join(missing)}, permanent=True)
    if not out.recipient:
        raise TransportError(_("Twilio: no phone number to send to."), permanent=True)
    base = out.var("TwilioApiBaseUrl") or getattr(settings, "TWILIO_API_BASE_URL", "") or DEFAULT_BASE_URL
    out.redactor.add(token)
    if phone:
        resource, form = "Calls.json", {"To": out.recipient, "From": sender, "Twiml": twiml(out)}
    else:
        resource, form = "Messages.json", {"To": out.recipient, "From": sender, "Body": sms_text(out)}

    return [
        http.request(
            session,
            "POST",
            f"{base.rstrip('/')}/Accounts/{sid}/{resource}",
            redactor=out.redactor,
            exchanges=[],
            timeout=out.timeout,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            body=urlencode(form),
            auth=(sid, token),
            dry_run=out.dry_run,
        )
    ]


def _language(out: Outgoing) -> str:
    return out.language or settings.ACCOUNT_LANGUAGE


def sms_text(out: Outgoing) -> str:
    """The SMS body, in the reader's language."""
    s = out.system
    with translation.override(_language(out)):
        values = {
            "monitor": s("@monitor.name"),
            "description": s("@alert.description"),
            "duration": s("@alert.downtimeDuration"),
        }
        if out.alert_type == "Ok":
            text = _("OK: %(monitor)s is back after %(duration)s.") % values
        elif out.alert_type == "Reminder":
            text = _("REMINDER: %(monitor)s - %(description)s") % values
        elif out.alert_type == "Acknowledged":
            text = _("ACKNOWLEDGED: %(monitor)s - %(description)s") % values
        else:
            text = _("ALERT: %(monitor)s - %(description)s") % values
    if s("@escalationLevel.message"):
        text += f"\n{s('@escalationLevel.message')}"
    return cut(text, SMS_LIMIT)


def twiml(out: Outgoing) -> str:
    """Speak the alert; on a call for a real incident, inside a ``<Gather>``
    that takes one key: 1 acknowledges (Twilio posts it to the callback URL).
    Without a key pressed the call ends after the message."""
    s = out.system
    language = _language(out)
    with translation.override(language):
        intro = _("Reminder from alertsite.") if out.alert_type == "Reminder" else _("Alert from alertsite.")
        started = local_time(s("@alert.firstErrorUtc"), out.time_zone, language)
        values = {"monitor": s("@monitor.name"), "description": s("@alert.description"), "time": started}
        has_error = _("Monitor %(monitor)s has an error.") % values
        started_at = _("The error started at %(time)s.") % values
        speech = f"{intro} {has_error} {values['description']} {started_at} {s('@escalationLevel.message')}"
        press_1 = xml_text(str(PRESS_1))
    voice = xml_text(out.var("Voice", "alice"))
    # Twilio reads the text in this language (the default is American English).
    say = f'<Say voice="{voice}" language="{SPEECH_LANGUAGES.get(language, "en-US")}"'
    head, tail = f'<Response>{say} loop="2">', "</Say></Response>"
    if out.voice_callback_url:
        action = xml_text(out.voice_callback_url)
        head = f'<Response><Gather numDigits="1" timeout="10" method="POST" action="{action}">{say} loop="2">'
        tail = f"</Say>{say}>{press_1}</Say></Gather></Response>"
    room = TWIML_LIMIT - len(head) - len(tail)
    spoken = xml_text(speech)
    if len(spoken) > room:
        # Cut the text, not the escaped form, so no entity is split.
        while len(spoken) > room:
            speech = speech[: len(speech) - max(1, len(spoken) - room)]
            spoken = xml_text(speech)
    return head + spoken + tail


def request_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """Twilio's ``X-Twilio-Signature``: base64 of HMAC-SHA1, keyed with the
    account's auth token, over the full URL Twilio called followed by every
    POST parameter, sorted by name, as name and value with no separators."""
    data = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()
