"""Taking secrets out of what the message log shows.

A secret can reach a request in many spellings: as typed, JSON-escaped,
percent-encoded, base64'd inside an Authorization header. Each is replaced.
A secret that is a URL (a Slack or Discord webhook) keeps its scheme and host
so the log still says where the request went.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

from integrations.transports.base import Exchange
from integrations.transports.escape import json_string, xml_text

MASK = "********"
MIN_SECRET_LENGTH = 4
SENSITIVE_HEADERS = {
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
    "api-key",
    "x-auth-token",
    "private-token",
}
# Query parameters that carry credentials in receivers' URLs (Google Chat's
# key/token, Teams Workflows' sig, ntfy's auth, generic api_key).
SENSITIVE_QUERY = re.compile(
    r"(?i)^(key|token|sig|signature|auth|api_?key|access_token|secret|password|code)$"
)


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._pairs: list[tuple[str, str]] = []
        for secret in {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}:
            self.add(secret)

    def add(self, secret: str) -> None:
        if not secret or len(secret) < MIN_SECRET_LENGTH:
            return
        replacement = MASK
        parts = urlsplit(secret) if "://" in secret else None
        if parts and parts.scheme in ("http", "https") and parts.netloc:
            replacement = f"{parts.scheme}://{parts.netloc}/{MASK}"
        variants = {
            secret: replacement,
            json_string(secret): replacement,
            xml_text(secret): replacement,
            quote(secret, safe=""): MASK,
            quote_plus(secret): MASK,
            quote(secret, safe="/:"): replacement,
            base64.b64encode(secret.encode()).decode(): MASK,
        }
        self._pairs.extend(variants.items())
        self._pairs.sort(key=lambda pair: len(pair[0]), reverse=True)

    def text(self, value: str) -> str:
        for secret, replacement in self._pairs:
            if secret in value:
                value = value.replace(secret, replacement)
        return value

    def url(self, value: str) -> str:
        value = self.text(value)
        try:
            parts = urlsplit(value)
        except ValueError:
            return value
        if parts.password:
            netloc = parts.netloc.replace(f":{parts.password}@", f":{MASK}@")
            parts = parts._replace(netloc=netloc)
        if parts.query:
            pairs = parse_qsl(parts.query, keep_blank_values=True)
            if any(SENSITIVE_QUERY.match(k) for k, _ in pairs):
                query = urlencode([(k, MASK if SENSITIVE_QUERY.match(k) else v) for k, v in pairs], safe="*")
                parts = parts._replace(query=query)
        return urlunsplit(parts)

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        shown: dict[str, str] = {}
        for name, value in headers.items():
            value = str(value)
            if name.lower() in SENSITIVE_HEADERS:
                scheme = value.split(" ", 1)[0] if " " in value else ""
                shown[name] = f"{scheme} {MASK}".strip()
            else:
                shown[name] = self.text(value)
        return shown


def redact_exchanges(exchanges: list[Exchange], redactor: Redactor) -> None:
    """Apply the redactor again to what is already recorded (after a secret
    was captured from a response)."""
    for exchange in exchanges:
        request = dict(exchange.request)
        if "url" in request:
            request["url"] = redactor.url(str(request["url"]))
        if isinstance(request.get("headers"), dict):
            request["headers"] = redactor.headers(request["headers"])
        if "body" in request:
            request["body"] = redactor.text(str(request["body"]))
        exchange.request = request
        exchange.headers = {name: redactor.text(value) for name, value in exchange.headers.items()}
        exchange.body = redactor.text(exchange.body)
        exchange.error = redactor.text(exchange.error)
