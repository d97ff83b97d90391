"""A logging filter that masks what looks like a secret before a line is written.

Code should not log secrets in the first place; this is the second line of
defence for what slips through, such as an exception message that quotes a
receiver's URL. It masks:

- in URLs and bare request paths: a password in the user-info part, every
  query value, and any path segment that looks like a token (Slack's, Discord's and StatusHub's hook
  URLs and Telegram's ``/bot<token>/`` carry their credential in the path);
  the scheme, host, plain path words, UUIDs and file names stay, so the line
  still says where (and a traceback which file);
- ``Authorization``-style credentials (``Bearer …``, ``Basic …``, ``Token …``,
  ``NTLM …``, ``Negotiate …``),
  ``password=…``-style pairs and Telegram bot tokens;
- this project's API keys (``as_…``) and Fernet ciphertexts (``enc:v1:…``).
"""

from __future__ import annotations

import logging
import re

MASK = "********"

URL = re.compile(r"""(?i)\b(https?://)([^\s/?#"'<>]+)([^\s?#"'<>]*)(\?[^\s#"'<>]*)?""")
CREDENTIAL = re.compile(r"(?i)\b(bearer|basic|token|ntlm|negotiate)(\s+)([A-Za-z0-9._~+/=:-]{8,})")
KEY_VALUE = re.compile(
    r"(?i)\b(password|passwd|secret|api[_-]?key|access[_-]?token|auth[_-]?token|token|signature)"
    r"([\"']?\s*[:=]\s*[\"']?)([^\s\"'&,;]{4,})"
)
TELEGRAM_TOKEN = re.compile(r"(?<!\d)\d{6,12}:[A-Za-z0-9_-]{30,}")
# A bare path, as in an HTTP client's or server's request line ("POST /bot…/sendMessage HTTP/1.1").
PATH = re.compile(r"""(?<![\w/:.%-])(/[^\s"'<>]+)""")
API_KEY = re.compile(r"\bas_[A-Za-z0-9_-]{16,}")
CIPHERTEXT = re.compile(r"enc:v1:[A-Za-z0-9_=-]+")


# Identifiers and names stay readable, or a failure could not be traced: a
# UUID (an alert's, a monitor's id), a version ("python3.11"), a file or
# module name ("site-packages", "exception.py"), a number.
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
WORD_SEPARATORS = re.compile(r"[._~-]+")
LONG_PIECE = 20
RANDOM_SEGMENT = 20
MIXED_PIECE = 8


def _token_like(segment: str) -> bool:
    """A path segment that is (or holds) a credential rather than a name or id.

    Secrets in paths are long random runs: Slack's and Discord's hook tokens,
    Telegram's ``bot<id>:<token>``, ping tokens. A segment of 20 characters or
    more in mixed case is one. Otherwise it is split at ``. _ ~ -`` into
    pieces; one piece of 20 characters or more, or of 8 or more mixing letters
    and digits, makes it secret. Words ("python3", "packages", "api") are
    shorter, and all-digit runs are ids.
    """
    if ":" in segment:
        return True
    if UUID.fullmatch(segment):
        return False
    if len(segment) >= RANDOM_SEGMENT and not segment.islower() and not segment.isupper():
        # A long run mixing upper and lower case, however it is split: URL-safe
        # base64 (a ping token). File and module names are lower case.
        return True
    for piece in WORD_SEPARATORS.split(segment):
        if len(piece) >= LONG_PIECE and not piece.isdigit():
            return True
        if len(piece) >= MIXED_PIECE and any(c.isdigit() for c in piece) and any(c.isalpha() for c in piece):
            return True
    return False


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
