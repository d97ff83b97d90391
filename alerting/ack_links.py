"""Signed acknowledge links: ``{{@incident.acknowledgeUrl}}``.

The link is the credential (no login): its token is the incident key and who
the link was made for (the message's operator or recipient, else the
integration), signed with the ``SECRET_KEY`` through ``django.core.signing``
under a salt of its own, and time-stamped. It works for that one incident,
until the incident resolves or for ``ACK_LINK_MAX_AGE_DAYS`` after the
message was rendered. A signed token is not encrypted: it holds nothing the
recipient does not already know.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core import signing
from django.urls import get_script_prefix, reverse

SALT = "alertsite.incident-acknowledge-link"
# Phone calls: Twilio's <Gather> posts the key pressed back to a URL holding
# this token, which also names the integration whose auth token signs the post.
VOICE_SALT = "alertsite.incident-acknowledge-voice"


class LinkInvalid(Exception):
    """Not a token this site signed (altered, truncated, another salt)."""


class LinkExpired(Exception):
    """Signed here, but older than ``ACK_LINK_MAX_AGE_DAYS``."""


@dataclass(frozen=True)
class LinkFor:
    incident_key: str
    who: str
    # The page's language: the one the message was written in ("" for the
    # browser's), so the page reads like the message that led to it.
    language: str = ""


def make_token(incident_key: str, who: str, language: str = "") -> str:
    data = {"i": incident_key, "w": who, **({"l": language} if language else {})}
    return signing.dumps(data, salt=SALT, compress=True)


TOKEN_MARK = "TOKENxMARK"


@cache
def _around_token(url_name: str, script_prefix: str) -> tuple[str, str]:
    """The URL's path before and after its token. Reversing it for every
    message was 6 % of a delivery's CPU in a profile; a signed token holds only
    URL-safe characters, so putting it in between gives what reverse() gives."""
    before, _, after = reverse(url_name, args=[TOKEN_MARK]).partition(TOKEN_MARK)
    return before, after


def _path(url_name: str, token: str) -> str:
    before, after = _around_token(url_name, get_script_prefix())
    return f"{before}{token}{after}"


def acknowledge_url(incident_key: str, who: str, language: str = "") -> str:
    path = _path("acknowledge-link", make_token(incident_key, who, language))
    return f"{settings.PUBLIC_BASE_URL}{path}"


def make_voice_token(incident_key: str, who: str, integration_id: str, language: str = "") -> str:
    data = {"i": incident_key, "w": who, "n": integration_id, **({"l": language} if language else {})}
    return signing.dumps(data, salt=VOICE_SALT, compress=True)


def voice_callback_url(incident_key: str, who: str, integration_id: str, language: str = "") -> str:
    path = _path("twilio-voice-hook", make_voice_token(incident_key, who, integration_id, language))
    return f"{settings.PUBLIC_BASE_URL}{path}"


def read_token(token: str) -> LinkFor:
    data = _load(token, SALT)
    language = data.get("l")
    return LinkFor(data["i"], data["w"], language if isinstance(language, str) else "")


def read_voice_token(token: str) -> tuple[LinkFor, str]:
    """The incident and who a call was made for, and the integration's id."""
    data = _load(token, VOICE_SALT)
    if not isinstance(data.get("n"), str):
        raise LinkInvalid(token)
    language = data.get("l")
    return LinkFor(data["i"], data["w"], language if isinstance(language, str) else ""), data["n"]


def _load(token: str, salt: str) -> dict:
    try:
        data = signing.loads(token, salt=salt, max_age=dt.timedelta(days=settings.ACK_LINK_MAX_AGE_DAYS))
    except signing.SignatureExpired:
        raise LinkExpired(token) from None
    except signing.BadSignature:
        raise LinkInvalid(token) from None
    if not isinstance(data, dict) or not isinstance(data.get("i"), str) or not isinstance(data.get("w"), str):
        raise LinkInvalid(token)
    return data
