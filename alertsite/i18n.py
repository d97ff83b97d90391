"""Languages: which one a page or a message is written in, and local times.

The admin follows a staff user's own choice (``StaffPreference``), else the
browser (Django's ``LocaleMiddleware``), else the account's language
(``ACCOUNT_LANGUAGE``). A message to an operator follows the operator's
language and time zone; a message to a channel, the account's.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.utils import dateformat, translation

# Date and time as people of each language write them in an alert, where
# Django's SHORT_DATETIME_FORMAT pads ("01.12.2026") or differs by region.
DATETIME_FORMATS = {
    "en": "n/j/Y g:i A",
    "en-gb": "j/n/Y H:i",
    "de": "j.n.Y H:i",
    "nl": "j-n-Y H:i",
    "fr": "j/n/Y H:i",
}
# Twilio <Say language="…"> per language.
SPEECH_LANGUAGES = {"en": "en-US", "en-gb": "en-GB", "de": "de-DE", "nl": "nl-NL", "fr": "fr-FR"}


def django_language(code: str) -> str:
    """An operator's language ("de-DE", "en-GB") as a Django language code
    ("de", "en-gb"); an unknown or empty one is the account's."""
    code = (code or "").strip().lower()
    if code in DATETIME_FORMATS:
        return code
    base = code.split("-")[0]
    return base if base in DATETIME_FORMATS else settings.ACCOUNT_LANGUAGE


def parse_time(value: str) -> dt.datetime | None:
    """An ISO 8601 time from the variables snapshot (UTC when it has no offset)."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def account_text(text: Any) -> str:
    """``text`` (lazy) in the account's language: what the message log or an
    incident records where nobody in particular reads it (a worker, a sweep)."""
    with translation.override(settings.ACCOUNT_LANGUAGE):
        return str(text)


def local_time(value: dt.datetime | str, time_zone: str, language: str) -> str:
    """``value`` in ``time_zone``, written as ``language`` writes it
    ("1.12.2026 10:57" in German); empty for no or a malformed time."""
    moment = parse_time(value) if isinstance(value, str) else value
    if moment is None:
        return ""
    try:
        zone = zoneinfo.ZoneInfo(time_zone or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    language = django_language(language)
    with translation.override(language):
        return dateformat.format(moment.astimezone(zone), DATETIME_FORMATS[language])


class StaffLanguageMiddleware:
    """Activates a signed-in staff user's chosen language (after
    ``LocaleMiddleware`` chose one from the browser)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Without a session cookie nobody is signed in: the API and ping
        # requests never pay for a session or user lookup here.
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            language = self._chosen(request)
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)

    @staticmethod
    def _chosen(request: HttpRequest) -> str:
        user: Any = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_staff:
            return ""
        try:
            return str(user.staff_preference.language)
        except ObjectDoesNotExist:
            return ""
