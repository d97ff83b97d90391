"""A logging filter that masks what looks like a secret before a line is written.

Code should not log secrets in the first place; this is the second line of
defence for what slips through, such as an exception message that quotes a
receiver's URL. It masks:

- in URLs and bare request paths: a password in the user-info part, every
  query value, and any path segment that looks like a token (Slack's, Discord's and StatusHub's hook
  URLs and Telegram's ``/bot<token>/`` carry their credential in the path);
  the scheme, host and plain path words stay, so the line still says where;
- ``Authorization``-style credentials (``Bearer …``, ``Basic …``, ``Token …``),
  ``password=…``-style pairs and Telegram bot tokens;
- this project's API keys (``as_…``) and Fernet ciphertexts (``enc:v1:…``).
"""

from __future__ import annotations

import logging
import re

MASK = "********"

URL = re.compile(r"""(?i)\b(https?://)([^\s/?#"'<>]+)([^\s?#"'<>]*)(\?[^\s#"'<>]*)?""")
CREDENTIAL = re.compile(r"(?i)\b(bearer|basic|token)(\s+)([A-Za-z0-9._~+/=:-]{8,})")
KEY_VALUE = re.compile(
    r"(?i)\b(password|passwd|secret|api[_-]?key|access[_-]?token|auth[_-]?token|token|signature)"
    r"([\"']?\s*[:=]\s*[\"']?)([^\s\"'&,;]{4,})"
)
TELEGRAM_TOKEN = re.compile(r"(?<!\d)\d{6,12}:[A-Za-z0-9_-]{30,}")
# A bare path, as in an HTTP client's or server's request line ("POST /bot…/sendMessage HTTP/1.1").
PATH = re.compile(r"""(?<![\w/:.%-])(/[^\s"'<>]+)""")
API_KEY = re.compile(r"\bas_[A-Za-z0-9_-]{16,}")
CIPHERTEXT = re.compile(r"enc:v1:[A-Za-z0-9_=-]+")


def _token_like(segment: str) -> bool:
    """A path segment that is an id or credential rather than a word like "api"."""
    if ":" in segment or len(segment) >= 24:
        return True
    has_digit = any(c.isdigit() for c in segment)
    has_alpha = any(c.isalpha() for c in segment)
    return len(segment) >= 8 and has_digit and has_alpha


def _mask_path(path: str, query: str | None) -> str:
    masked = "/".join(MASK if _token_like(s) else s for s in path.split("/"))
    if query:
        pairs = [p.split("=", 1)[0] + "=" + MASK if "=" in p else MASK for p in query[1:].split("&") if p]
        masked += "?" + "&".join(pairs)
    return masked


def _mask_url(match: re.Match[str]) -> str:
    scheme, authority, path, query = match.group(1), match.group(2), match.group(3), match.group(4)
    if "@" in authority:
        userinfo, host = authority.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        authority = f"{user}:{MASK}@{host}" if ":" in userinfo else f"{MASK}@{host}"
    return scheme + authority + _mask_path(path, query)


def _mask_bare_path(match: re.Match[str]) -> str:
    path, _, query = match.group(1).partition("?")
    return _mask_path(path, "?" + query if query else None)


def redact(text: str) -> str:
    text = CIPHERTEXT.sub(MASK, text)
    text = API_KEY.sub(MASK, text)
    text = TELEGRAM_TOKEN.sub(MASK, text)
    text = URL.sub(_mask_url, text)
    text = PATH.sub(_mask_bare_path, text)
    text = KEY_VALUE.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    return CREDENTIAL.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)


class RedactSecretsFilter(logging.Filter):
    """Rewrites the record's message (with its arguments) and any exception text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            # Format the traceback now, so the redacted text is what handlers print.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
