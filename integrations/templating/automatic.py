"""Uptrends' automatic variables: values made when a message is rendered.

Semantics follow Uptrends' KB article "Automatic variables" (written for
transaction and multi-step monitors; Uptrends allows them in integration
content and e-mail subjects too):

- ``{{@DateTime(format,offset)}}``: the current time in UTC; ``format`` is a
  .NET custom date format (``dd/MM/yyyy``, ``yyyy-MM-dd HH:mm``), ``Iso``
  (ISO 8601, written ``2018-02-24T22:30:00.0000000Z`` as .NET's round-trip
  form) or ``Unix`` (epoch seconds); ``offset`` is an optional number of
  seconds, positive or negative. The KB's date functions for offsets (first or
  last day of a month) are not supported: text after the last comma that is
  not a whole number is read as part of the format (which may hold commas).
  Month and day names (MMM, dddd) are English.
- ``{{@RandomGuid}}``: a new random GUID at each use, upper case as in the KB.

Where the KB text available to us is silent, we chose, and say so:

- ``{{@UniqueGuid}}``: one GUID per message, the same in every step, URL,
  header and body of it (a retry renders again and gets a new one);
- ``{{@RandomInt(min,max)}}``: a whole number with both ends included;
- ``{{@RandomChar(n)}}``: ``n`` letters and digits (A-Z, a-z, 0-9), at most
  ``MAX_RANDOM_CHARS``.

Arguments are plain text; one that cannot be used is an error when the
template is saved (``argument_error``), and renders empty if it ever gets
through.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import string
import uuid
from collections.abc import Callable

from django.utils.translation import gettext

UNIQUE_GUID = "@UniqueGuid"
RANDOM_GUID = "@RandomGuid"
VARIABLES = (RANDOM_GUID, UNIQUE_GUID)
MAX_RANDOM_CHARS = 1000
_ALPHABET = string.ascii_letters + string.digits
# .NET custom format specifiers we translate, longest first so "yyyy" wins over "yy".
_TOKENS = re.compile(r"yyyy|yy|MMMM|MMM|MM|M|dddd|ddd|dd|d|HH|H|hh|h|mm|m|ss|s|fffffff|fff|tt|'[^']*'|\\.")
_INTEGER = re.compile(r"[+-]?\d{1,10}")


def new_guid() -> str:
    return str(uuid.uuid4()).upper()


def _split(argument: str) -> list[str]:
    return [part.strip() for part in argument.split(",")] if argument.strip() else []


def _date_parts(argument: str) -> tuple[str, int]:
    """(format, offset): the text after the last comma is the offset when it is
    a whole number, so a format may hold commas ("dd MMM, yyyy")."""
    head, comma, tail = argument.rpartition(",")
    if comma and _INTEGER.fullmatch(tail.strip()):
        return head.strip(), int(tail.strip())
    if comma and not tail.strip():
        return head.strip(), 0
    return argument.strip(), 0


def date_time(argument: str, now: dt.datetime | None = None) -> str:
    fmt, offset = _date_parts(argument)
    moment = (now or dt.datetime.now(dt.UTC)) + dt.timedelta(seconds=offset)
    if fmt.lower() == "unix":
        return str(int(moment.timestamp()))
    if fmt.lower() == "iso":
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0Z"
    return _TOKENS.sub(lambda m: _format_token(m.group(), moment), fmt)


def _format_token(token: str, moment: dt.datetime) -> str:
    if token.startswith("'"):
        return token[1:-1]
    if token.startswith("\\"):
        return token[1:]
    hour12 = moment.hour % 12 or 12
    values = {
        "yyyy": f"{moment.year:04d}",
        "yy": f"{moment.year % 100:02d}",
        "MMMM": moment.strftime("%B"),
        "MMM": moment.strftime("%b"),
        "MM": f"{moment.month:02d}",
        "M": str(moment.month),
        "dddd": moment.strftime("%A"),
        "ddd": moment.strftime("%a"),
        "dd": f"{moment.day:02d}",
        "d": str(moment.day),
        "HH": f"{moment.hour:02d}",
        "H": str(moment.hour),
        "hh": f"{hour12:02d}",
        "h": str(hour12),
        "mm": f"{moment.minute:02d}",
        "m": str(moment.minute),
        "ss": f"{moment.second:02d}",
        "s": str(moment.second),
        "fff": f"{moment.microsecond // 1000:03d}",
        "fffffff": f"{moment.microsecond:06d}0",
        "tt": "AM" if moment.hour < 12 else "PM",
    }
    return values[token]


def random_int(argument: str) -> str:
    low, high = (int(p) for p in _split(argument))
    return str(low + secrets.randbelow(high - low + 1))


def random_char(argument: str) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(int(argument.strip())))


FUNCTIONS: dict[str, Callable[[str], str]] = {
    "@DateTime": date_time,
    "@RandomInt": random_int,
    "@RandomChar": random_char,
}


def call(function: str, argument: str) -> str:
    """The function's value, or "" for arguments it cannot use (refused on save)."""
    if argument_error(function, argument):
        return ""
    return FUNCTIONS[function](argument)


def argument_error(function: str, argument: str) -> str:
    """Why ``argument`` cannot be used by ``function``, or ""."""
    parts = _split(argument)
    if function == "@DateTime":
        if not _date_parts(argument)[0]:
            return gettext("write {{@DateTime(format,offset)}}, e.g. {{@DateTime(yyyy-MM-dd HH:mm,3600)}}")
        return ""
    if function == "@RandomInt":
        if len(parts) != 2 or not all(re.fullmatch(r"-?\d{1,18}", p) for p in parts):
            return gettext("write {{@RandomInt(min,max)}} with two whole numbers, e.g. {{@RandomInt(1,100)}}")
        if int(parts[0]) > int(parts[1]):
            return gettext("@RandomInt: min is larger than max")
        return ""
    if function == "@RandomChar":
        if (
            len(parts) != 1
            or not re.fullmatch(r"\d{1,4}", parts[0])
            or not 0 < int(parts[0]) <= MAX_RANDOM_CHARS
        ):
            return gettext("write {{@RandomChar(n)}} with n from 1 to %(max)s") % {"max": MAX_RANDOM_CHARS}
        return ""
    return ""
