"""User-defined functions, as in Uptrends' KB article "User-defined functions":
an integration defines them, a template calls them by name without ``@``,
``{{Severity({{@alert.type}})}}``. They come to the renderer as plain data
(``UserFunction``), so rendering stays pure; ``integrations.sending`` builds
them from the integration's rows, with the hash key already decrypted.

- **Mapping**: the input is looked up in a table of (input, output) rows,
  compared exactly (case and spaces count); no row matches: the default.
- **Regular expression**: the first match in the input; its first capture
  group when the pattern has one, the whole match otherwise; no match: empty.
  Patterns are operator input run over alert text, so they run in the
  ``regex`` engine with a time limit (``REGEX_TIMEOUT_SECONDS``): a pattern
  that backtracks catastrophically renders empty instead of hanging delivery.
- **Hash**: MD5, SHA-1, SHA-256, SHA-512 of the input's UTF-8 bytes, or
  HMAC-SHA1/256/512 keyed with the function's secret; lower-case hex (what
  Uptrends gives), or base64 when the function asks for it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import regex
from django.utils.translation import gettext

MAPPING, REGEX, HASH = "mapping", "regex", "hash"
KINDS = (MAPPING, REGEX, HASH)
HMAC_ALGORITHMS: dict[str, Callable[..., Any]] = {
    "hmac-sha1": hashlib.sha1,
    "hmac-sha256": hashlib.sha256,
    "hmac-sha512": hashlib.sha512,
}
DIGESTS: dict[str, Callable[..., Any]] = {
    "md5": hashlib.md5,
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha512": hashlib.sha512,
}
ALGORITHMS = (*DIGESTS, *HMAC_ALGORITHMS)
ENCODINGS = ("hex", "base64")
REGEX_TIMEOUT_SECONDS = 0.2
# The input a regular expression is run over is cut to this many characters
# (a response body can be a megabyte); the time limit bounds the rest.
MAX_REGEX_INPUT = 100_000


@dataclass(frozen=True)
class UserFunction:
    name: str
    kind: str  # "mapping", "regex" or "hash"
    mapping: tuple[tuple[str, str], ...] = ()
    default: str = ""
    pattern: str = ""
    algorithm: str = ""
    key: str = field(default="", repr=False)  # the HMAC key, plaintext
    encoding: str = "hex"


def apply(function: UserFunction, value: str) -> str:
    """The function's result for ``value``. Never raises."""
    if function.kind == MAPPING:
        return next((out for given, out in function.mapping if given == value), function.default)
    if function.kind == REGEX:
        return extract(function.pattern, value)
    if function.kind == HASH:
        return digest(function.algorithm, value, function.key, function.encoding)
    return ""


# Texts that make a backtracking pattern explode ("(a+)+$", "(\w+\s?)*$"):
# long runs of one kind of character that end in a mismatch.
# Tried when a pattern is saved, so most such patterns are refused then rather
# than cut off at every send.
_STRESS = tuple(run * 2000 + "!" for run in ("a", "0", " ", "ab", "a ", "a.", "\n", "aA0_"))


def pattern_error(pattern: str) -> str:
    """Why ``pattern`` is not a usable regular expression, or ""."""
    if not pattern:
        return gettext("Enter a regular expression.")
    try:
        compiled = _compile(pattern)
    except regex.error as exc:
        return gettext("Not a valid regular expression: %(error)s") % {"error": exc}
    for text in _STRESS:
        try:
            compiled.search(text, timeout=REGEX_TIMEOUT_SECONDS)
        except TimeoutError:
            return gettext(
                "This pattern backtracks catastrophically: it took over %(seconds)s s on a text of "
                "%(length)s characters (nested repetition such as (a+)+ or (\\w+\\s?)*). Simplify it."
            ) % {"seconds": REGEX_TIMEOUT_SECONDS, "length": f"{len(text):,}"}
    return ""


@lru_cache(maxsize=256)
def _compile(pattern: str) -> Any:
    return regex.compile(pattern)


def search(pattern: str, text: str) -> Any:
    """The first match of ``pattern`` in ``text`` (its first MAX_REGEX_INPUT
    characters), under the time limit; None when there is none, the pattern is
    invalid or it ran out of time. Step captures use it too."""
    try:
        return _compile(pattern).search(text[:MAX_REGEX_INPUT], timeout=REGEX_TIMEOUT_SECONDS)
    except (regex.error, TimeoutError):
        return None


def extract(pattern: str, value: str) -> str:
    match = search(pattern, value)
    if match is None:
        return ""
    if match.re.groups:
        return match.group(1) or ""
    return str(match.group(0))


def digest(algorithm: str, value: str, key: str = "", encoding: str = "hex") -> str:
    data = value.encode("utf-8")
    if algorithm in HMAC_ALGORITHMS:
        raw = hmac.new(key.encode("utf-8"), data, HMAC_ALGORITHMS[algorithm]).digest()
    elif algorithm in DIGESTS:
        raw = DIGESTS[algorithm](data).digest()
    else:
        return ""
    return base64.b64encode(raw).decode("ascii") if encoding == "base64" else raw.hex()
