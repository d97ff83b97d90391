"""The two escapes a transport needs: a JSON string's content and XML text.

They equal the template language's ``@JsonEncode`` and ``@XmlEncode``
(``integrations.templating.encoders``; a test keeps them equal), written here
so that a transport imports nothing of the template language: the redactor
must find a secret as a template would have encoded it, and TwiML is XML.
"""

from __future__ import annotations

import json
import re

# Characters XML 1.0 does not allow at all, even escaped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def json_string(text: str) -> str:
    """The JSON string escape of ``text``, without the quotes."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def xml_text(text: str) -> str:
    text = _XML_INVALID.sub("\ufffd", text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
    )
