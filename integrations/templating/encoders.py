"""The encoding functions. Each turns any text into text that is safe in its
target syntax; none of them can fail."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from urllib.parse import quote

# Characters XML 1.0 does not allow at all, even escaped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def json_encode(text: str) -> str:
    # The JSON string escape without the quotes: the template supplies them,
    # as in Uptrends ("{{@JsonEncode({{@monitor.notes}})}}").
    return json.dumps(text, ensure_ascii=False)[1:-1]


def xml_encode(text: str) -> str:
    text = _XML_INVALID.sub("\ufffd", text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
    )


def url_encode(text: str) -> str:
    return quote(text, safe="")


def base64_encode(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


ENCODERS: dict[str, Callable[[str], str]] = {
    "@JsonEncode": json_encode,
    "@XmlEncode": xml_encode,
    "@UrlEncode": url_encode,
    "@Base64Encode": base64_encode,
}
