"""Model fields whose values are encrypted at rest (see ``alertsite.encryption``)."""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from alertsite import encryption


class EncryptedTextField(models.TextField):
    """A text value stored as ciphertext; Python code only ever sees plaintext.

    Empty strings are stored as empty strings so that "is a value set?" can be
    answered without decrypting (and so the admin can show it without the value).
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return encryption.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encryption.encrypt(str(value))


class EncryptedJSONField(models.TextField):
    """A JSON value (dict or list) stored as ciphertext."""

    description = "JSON encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return self._empty()
        return json.loads(encryption.decrypt(value))

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            if value == "":
                return self._empty()
            return json.loads(value)
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        if not value:
            return ""
        return encryption.encrypt(json.dumps(value, sort_keys=True))

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj))

    def _empty(self) -> Any:
        default = self.get_default()
        return default if default is not None else {}
