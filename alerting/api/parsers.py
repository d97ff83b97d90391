"""A JSON parser that refuses what the standard library lets through.

``json.loads`` accepts duplicate keys (the last wins, silently), ``NaN`` and
``Infinity``, integers of thousands of digits and nesting deep enough to hit
the recursion limit. Each of these is a 400 here, and so is a body over
``API_MAX_BODY_BYTES`` a 413, before it is read into memory.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext, gettext_lazy
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError, ValidationError
from rest_framework.parsers import BaseParser

MAX_DEPTH = 32
MAX_NUMBER_CHARS = 40


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "too_large"


def too_deep() -> str:
    return gettext("The body is nested too deeply (at most %(count)s levels).") % {"count": MAX_DEPTH}


def over_limit(limit: int) -> str:
    return gettext("The request body is over the %(count)s-byte limit.") % {"count": limit}


class _Refused(ValueError):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Refused(gettext("Duplicate key %(key)s in an object.") % {"key": repr(key)})
        result[key] = value
    return result


def _constant(name: str) -> Any:
    raise _Refused(gettext("%(name)s is not valid JSON.") % {"name": name})


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise _Refused(gettext("A number in the body is too large."))
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise _Refused(gettext("A number in the body is too large."))
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(gettext("A number in the body is too large."))
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")


def _storable(text: str) -> bool:
    # "\u0000" and unpaired surrogates ("\ud800") are valid JSON escapes, but
    # PostgreSQL cannot store the first and UTF-8 cannot encode the second.
    return "\x00" not in text and not _SURROGATE.search(text)


UNSTORABLE = gettext_lazy("Must not contain a NUL character (\\u0000) or an unpaired surrogate escape.")


def _check_tree(value: Any) -> None:
    """Refuse nesting deeper than MAX_DEPTH (a 400 about the body) and strings
    that cannot be stored (a 400 at the field that holds them, e.g.
    ``{"levels": {"0": {"message": [...]}}}``, like any other invalid value)."""
    unstorable: list[tuple[str, ...]] = []
    stack: list[tuple[Any, tuple[str, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if not _storable(item):
                unstorable.append(path)
        elif isinstance(item, dict | list):
            if len(path) >= MAX_DEPTH:
                raise ParseError(too_deep())
            if isinstance(item, list):
                stack.extend((child, (*path, str(index))) for index, child in enumerate(item))
                continue
            for key, child in item.items():
                if _storable(key):
                    stack.append((child, (*path, key)))
                else:
                    unstorable.append(path)
    if unstorable:
        raise ValidationError(_at_paths(sorted(set(unstorable))))


def _at_paths(paths: list[tuple[str, ...]]) -> dict[str, Any]:
    """``{"a": {"0": {"b": [message]}}}`` for the path ("a", "0", "b"); a bad
    key (or a bad top-level string) is reported on its object as "detail"."""
    errors: dict[str, Any] = {}
    for path in paths:
        node = errors
        for part in path[:-1] if path else ():
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                break  # the string itself is already reported higher up
            node = child
        else:
            leaf = path[-1] if path else "detail"
            if not isinstance(node.get(leaf), dict):
                node[leaf] = [UNSTORABLE]
    return errors


def max_body_bytes() -> int:
    return settings.API_MAX_BODY_BYTES


def read_limited(stream: Any, declared: int | None) -> bytes:
    limit = max_body_bytes()
    if declared is not None and declared > limit:
        raise PayloadTooLarge(over_limit(limit))
    data = stream.read(limit + 1) if stream is not None else b""
    if len(data) > limit:
        raise PayloadTooLarge(over_limit(limit))
    return data


def loads_strict(data: bytes) -> Any:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ParseError(gettext("The body is not valid UTF-8.")) from None
    try:
        value = json.loads(
            text, object_pairs_hook=_pairs, parse_constant=_constant, parse_int=_int, parse_float=_float
        )
    except _Refused as exc:
        raise ParseError(str(exc)) from None
    except RecursionError:
        raise ParseError(too_deep()) from None
    except json.JSONDecodeError as exc:
        raise ParseError(
            gettext("The body is not valid JSON: %(error)s (line %(line)s, column %(column)s).")
            % {"error": exc.msg, "line": exc.lineno, "column": exc.colno}
        ) from None
    except ValueError as exc:
        raise ParseError(gettext("The body is not valid JSON: %(error)s") % {"error": exc}) from None
    _check_tree(value)
    return value


class StrictJSONParser(BaseParser):
    media_type = "application/json"

    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        request = (parser_context or {}).get("request")
        declared = None
        if request is not None:
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = None
        data = read_limited(stream, declared)
        if not data.strip():
            raise ParseError(gettext("The body is empty; send a JSON object or list."))
        return loads_strict(data)
