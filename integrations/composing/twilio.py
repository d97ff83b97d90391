"""Twilio SMS (``Messages.json``) and voice calls (``Calls.json`` with TwiML
that speaks the alert), in the reader's language. Both are form-encoded with
HTTP Basic auth. A phone call never announces an OK. Text is cut to Twilio's
limits: an SMS body of 1600 characters, inline TwiML of 4000. An SMS or Phone
integration with steps of its own sends through that generic HTTP gateway
instead (``integrations.rendering`` renders them, with ``sms_text`` as
``{{Text}}``).

A call for a real incident asks "press 1 to acknowledge" (``<Gather>``);
``integrations.voice`` takes Twilio's post of the key pressed."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alertsite.i18n import SPEECH_LANGUAGES, local_time
from integrations.composing.text import cut, reader_language
from integrations.transports.base import Credentials, Request, TransportError
from integrations.transports.escape import xml_text
from integrations.transports.outgoing import Outgoing

DEFAULT_BASE_URL = "https://api.twilio.com/2010-04-01"
SMS_LIMIT = 1600
TWIML_LIMIT = 4000
PRESS_1 = gettext_lazy("Press 1 to acknowledge.")


def silent(out: Outgoing) -> bool:
    """A phone call is only made for an alert or a reminder: nobody is woken
    to hear that all is well, or that someone is on it (a gateway too)."""
    return out.kind == "phone" and out.alert_type not in ("Alert", "Reminder")


def request(out: Outgoing) -> Request:
    """The SMS or the call, posted to Twilio's REST API with the account's
    SID and auth token as Basic credentials."""
    sid, token, sender = out.var("TwilioAccountSid"), out.var("TwilioAuthToken"), out.var("FromNumber")
    missing = [
        n for n, v in (("TwilioAccountSid", sid), ("TwilioAuthToken", token), ("FromNumber", sender)) if not v
    ]
    if missing:
        raise TransportError(_("Twilio: %(names)s not set.") % {"names": ", ".join(missing)}, permanent=True)
    if not out.recipient:
        raise TransportError(_("Twilio: no phone number to send to."), permanent=True)
    base = out.var("TwilioApiBaseUrl") or getattr(settings, "TWILIO_API_BASE_URL", "") or DEFAULT_BASE_URL
    if out.kind == "phone":
        resource, form = "Calls.json", {"To": out.recipient, "From": sender, "Twiml": twiml(out)}
    else:
        resource, form = "Messages.json", {"To": out.recipient, "From": sender, "Body": sms_text(out)}
    return Request(
        "POST",
        f"{base.rstrip('/')}/Accounts/{sid}/{resource}",
        {"Content-Type": "application/x-www-form-urlencoded"},
        urlencode(form),
        Credentials("basic", sid, token),
    )


def sms_text(out: Outgoing) -> str:
    """The SMS body, in the reader's language."""
    s = out.system
    with translation.override(reader_language(out)):
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
    language = reader_language(out)
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
