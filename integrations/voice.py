"""``POST /hooks/twilio/voice/<token>``: the key a called operator pressed.

The phone call's TwiML (``integrations.composing.twilio``) gathers one key
and has Twilio post it here. The token (``alerting.ack_links``) names the
incident, who was called and the integration; the post must carry the
``X-Twilio-Signature`` computed with that integration's auth token, or it is
refused with 403. Pressing 1 acknowledges the incident as the person called.
The answer is TwiML for Twilio to speak.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils import translation
from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt

from alerting.ack_links import LinkExpired, LinkInvalid, read_voice_token
from alerting.audit.context import acting
from alerting.engine.acknowledgement import IncidentResolved, acknowledge
from alerting.models import Incident
from alertsite.i18n import SPEECH_LANGUAGES
from integrations.models import Integration, IntegrationKind
from integrations.tasks import deliver_after_commit
from integrations.templating.encoders import xml_encode
from integrations.transports.twilio import request_signature

SIGNATURE_HEADER = "HTTP_X_TWILIO_SIGNATURE"
ACKNOWLEDGED = gettext_lazy("The incident is acknowledged. Goodbye.")
RESOLVED = gettext_lazy("The incident is already resolved. Goodbye.")
NOT_ACKNOWLEDGED = gettext_lazy("Nothing was acknowledged. Goodbye.")
EXPIRED = gettext_lazy("This call can no longer acknowledge the incident. Goodbye.")


def _say(text: str | StrPromise, status: int = 200, language: str = "") -> HttpResponse:
    """TwiML that says ``text`` in ``language`` (the call's), else in English."""
    with translation.override(language or None):
        spoken = xml_encode(str(text))
    attribute = f' language="{SPEECH_LANGUAGES[language]}"' if language in SPEECH_LANGUAGES else ""
    body = f'<?xml version="1.0" encoding="UTF-8"?><Response><Say{attribute}>{spoken}</Say></Response>'
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def _auth_token(integration: Integration) -> str:
    variable = integration.variables.filter(name="TwilioAuthToken").first()
    return variable.get_value() if variable is not None else ""


@csrf_exempt
def twilio_voice(request: HttpRequest, token: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        link, integration_id = read_voice_token(token)
    except LinkExpired:
        return _say(EXPIRED, 410)
    except LinkInvalid:
        return HttpResponse("not found", status=404, content_type="text/plain")
    integration = Integration.objects.filter(pk=integration_id, kind=IntegrationKind.PHONE).first()
    auth_token = _auth_token(integration) if integration is not None else ""
    if not auth_token:
        return HttpResponse("not found", status=404, content_type="text/plain")
    # The URL as Twilio called it: the one put in the TwiML, on PUBLIC_BASE_URL
    # (behind a proxy the request's own host and scheme may differ).
    url = f"{settings.PUBLIC_BASE_URL}{request.get_full_path()}"
    params = [(name, value) for name, values in request.POST.lists() for value in values]
    expected = request_signature(auth_token, url, params)
    if not hmac.compare_digest(expected, request.META.get(SIGNATURE_HEADER, "")):
        return HttpResponse("invalid signature", status=403, content_type="text/plain")
    language = link.language if link.language in SPEECH_LANGUAGES else ""
    if request.POST.get("Digits") != "1":
        return _say(NOT_ACKNOWLEDGED, language=language)
    try:
        with acting(link.who, "phone"):
            _, raised = acknowledge(link.incident_key, by=link.who)
        deliver_after_commit(raised.message_ids)
    except IncidentResolved:
        return _say(RESOLVED, language=language)
    except Incident.DoesNotExist:
        return HttpResponse("not found", status=404, content_type="text/plain")
    return _say(ACKNOWLEDGED, language=language)
