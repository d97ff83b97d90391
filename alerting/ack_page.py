"""The page behind an acknowledge link (``alerting.ack_links``).

GET only shows the incident and an *Acknowledge* button: link scanners and
chat unfurlers fetch every link they see, and must not acknowledge anything.
Only the button's POST acknowledges. No login: the signed token is the
credential, so CSRF protection would add nothing (whoever can forge the POST
holds the link already) and is left off; the page is not cached, not indexed
and sends no referrer.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from alerting.ack_links import LinkExpired, LinkFor, LinkInvalid, read_token
from alerting.audit.context import acting
from alerting.engine import clock
from alerting.engine.acknowledgement import IncidentResolved, acknowledge
from alerting.models import Incident
from integrations.tasks import deliver_after_commit

TEMPLATE = "alerting/acknowledge.html"
NOTE_LIMIT = 2000


def _page(request: HttpRequest, status: int = 200, **context: Any) -> HttpResponse:
    response = render(request, TEMPLATE, context, status=status)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@csrf_exempt
@never_cache
def acknowledge_link(request: HttpRequest, token: str) -> HttpResponse:
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    try:
        link = read_token(token)
    except LinkExpired:
        return _page(request, 410, problem="expired")
    except LinkInvalid:
        return _page(request, 404, problem="invalid")
    if link.language in dict(settings.LANGUAGES):
        # The language of the message the link came in, not the browser's.
        translation.activate(link.language)
        request.LANGUAGE_CODE = link.language
    incident = Incident.objects.select_related("monitor").filter(key=link.incident_key).first()
    if incident is None:
        return _page(request, 404, problem="invalid")
    if request.method == "POST":
        return _post(request, link, incident)
    return _page(request, incident=incident, who=link.who, status_now=incident.status_at(clock.now()))


def _post(request: HttpRequest, link: LinkFor, incident: Incident) -> HttpResponse:
    note = request.POST.get("note", "").strip()[:NOTE_LIMIT]
    already = incident.status_at(clock.now())
    try:
        with acting(link.who, "acknowledge link"):
            incident, raised = acknowledge(
                incident.key, by=link.who, note=note or incident.acknowledgement_note
            )
        deliver_after_commit(raised.message_ids)
    except IncidentResolved:
        # The link stopped working when the incident resolved.
        return _page(request, 410, incident=incident, who=link.who, status_now="resolved")
    except Incident.DoesNotExist:
        return _page(request, 404, problem="invalid")
    return _page(
        request,
        incident=incident,
        who=link.who,
        status_now=incident.status_at(clock.now()),
        done=True,
        was_acknowledged=already == "acknowledged",
    )
