"""Name → value pairs edited as rows of two inputs, not as JSON.

Plain form fields: the rows are ``<name>-key-<n>`` / ``<name>-value-<n>``,
with two blank rows to add more; key_value.js adds another blank row on
demand. A row with a value needs a name; a name may appear once.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

BLANK_ROWS = 2


class KeyValueWidget(forms.Widget):
    template_name = "alerting/widgets/key_value.html"

    def __init__(self, key_label: str = "", value_label: str = "", attrs: Any = None) -> None:
        super().__init__(attrs)
        # Empty: "Name" and "Value" in the reader's language, chosen when drawn.
        self.key_label = key_label
        self.value_label = value_label

    def format_value(self, value: Any) -> list[tuple[str, str]]:  # type: ignore[override]
        if isinstance(value, dict):
            # Stored: in name order. PostgreSQL's jsonb keeps no insertion
            # order, so the rows read the same on every database.
            rows = [(str(k), "" if v is None else str(v)) for k, v in value.items()]
            return sorted(rows, key=lambda row: (row[0].lower(), row[0]))
        if isinstance(value, list):
            return [(str(k), str(v)) for k, v in value]
        return []

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        rows = self.format_value(value) + [("", "")] * BLANK_ROWS
        key_label = self.key_label or gettext("Name")
        value_label = self.value_label or gettext("Value")
        context["widget"].update({"rows": rows, "key_label": key_label, "value_label": value_label})
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[tuple[str, str]] | None:
        pattern = re.compile(rf"^{re.escape(name)}-key-(\d+)$")
        numbers = sorted(int(m.group(1)) for key in data for m in [pattern.match(key)] if m)
        if not numbers:
            return None
        return [(data.get(f"{name}-key-{n}", ""), data.get(f"{name}-value-{n}", "")) for n in numbers]

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return self.value_from_datadict(data, files, name) is None

    def id_for_label(self, id_: str) -> str:
        return f"{id_}-key-0"


class KeyValueField(forms.Field):
    widget = KeyValueWidget

    def to_python(self, value: Any) -> dict[str, str]:
        if isinstance(value, dict):
            return value
        result: dict[str, str] = {}
        errors = []
        for key, val in value or []:
            key, val = (key or "").strip(), (val or "").strip()
            if not key:
                if val:
                    errors.append(gettext("The value %(value)s has no name.") % {"value": repr(val)})
                continue
            if key in result:
                errors.append(gettext("%(name)s is named twice.") % {"name": key})
            result[key] = val
        if errors:
            raise ValidationError(errors)
        return result

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return (initial or {}) != self.to_python(data)
        except ValidationError:
            return True
