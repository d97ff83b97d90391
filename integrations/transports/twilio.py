"""Twilio's side of a phone call's answer: the signature on what Twilio posts
back (``integrations.voice`` checks it before acknowledging). The SMS and the
call themselves are composed by ``integrations.composing.twilio`` and sent as
any request is (``integrations.transports.http``): Twilio answers with the
usual statuses (2xx queued, 4xx refused, 429 and 5xx worth a retry)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable


def request_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """Twilio's ``X-Twilio-Signature``: base64 of HMAC-SHA1, keyed with the
    account's auth token, over the full URL Twilio called followed by every
    POST parameter, sorted by name, as name and value with no separators."""
    data = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()
