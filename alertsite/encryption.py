"""Encryption of secrets at rest.

Keys come from ``FIELD_ENCRYPTION_KEYS`` (comma-separated Fernet keys, newest
first), independent of ``SECRET_KEY`` so that rotating one never breaks the
other. Values are written under the first key and read under any of them, so a
new key can be put in front, ``rotate_encryption_keys`` run, and the old key
removed afterwards.
"""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Every stored ciphertext starts with this marker so that a plaintext value left
# in a column (say, by a raw SQL import) is recognised instead of failing oddly.
PREFIX = "enc:v1:"


class DecryptionError(Exception):
    """A stored value cannot be read with any configured key."""


def parse_keys(raw: list[str]) -> list[Fernet]:
    if not raw:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is empty: set at least one key "
            "(generate one with: python manage.py generate_encryption_key)"
        )
    fernets = []
    for index, key in enumerate(raw, start=1):
        try:
            decoded = base64.urlsafe_b64decode(key.encode())
        except (binascii.Error, ValueError):
            decoded = b""
        if len(decoded) != 32:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key #{index} is not a valid key (expected 32 url-safe "
                "base64-encoded bytes; generate one with: python manage.py generate_encryption_key)"
            )
        fernets.append(Fernet(key.encode()))
    return fernets


@lru_cache(maxsize=4)
def _multi(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet(parse_keys(list(keys)))


def cipher() -> MultiFernet:
    return _multi(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    token = cipher().encrypt(plaintext.encode("utf-8"))
    return PREFIX + token.decode("ascii")


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise DecryptionError("value is not encrypted")
    try:
        return cipher().decrypt(stored[len(PREFIX) :].encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise DecryptionError(
            "a stored secret cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS"
        ) from None


def rotate(stored: str) -> str:
    """Re-encrypt a stored value under the first key."""
    if not stored.startswith(PREFIX):
        return encrypt(stored)
    try:
        token = cipher().rotate(stored[len(PREFIX) :].encode("ascii"))
    except InvalidToken:
        raise DecryptionError(
            "a stored secret cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS"
        ) from None
    return PREFIX + token.decode("ascii")


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")
