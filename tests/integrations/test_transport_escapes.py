"""The transports' own JSON and XML escapes equal the template language's
encoders: the redactor must find a secret in the spelling a template gave it,
and TwiML must escape as ``@XmlEncode`` does."""

from __future__ import annotations

import pytest

from integrations.templating.encoders import json_encode, xml_encode
from integrations.transports.escape import json_string, xml_text
from integrations.transports.redact import MASK, Redactor

SAMPLES = [
    "",
    "plain",
    'quote " and \\ backslash',
    "new\nline\ttab\r",
    "<b>&amp; 'apos'</b>",
    "control \x00\x07\x1f and \ufffe\uffff",
    "unicode é ✓ 🚨 \u2028",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_escapes_equal_the_template_encoders(text: str) -> None:
    assert json_string(text) == json_encode(text)
    assert xml_text(text) == xml_encode(text)


def test_a_secret_is_found_as_a_template_encoded_it() -> None:
    secret = 'pa"ss<&>word'
    redactor = Redactor([secret])
    shown = redactor.text(f'{{"p": "{json_encode(secret)}"}} <p>{xml_encode(secret)}</p>')
    assert secret not in shown and "pa" not in shown and shown.count(MASK) == 2
