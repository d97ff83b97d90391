"""A step's headers in the editor: name/value rows (add and remove a row)
instead of JSON. Stored as before, a list of ``[name, value]`` pairs.

The rows post as repeated ``<field>__name`` / ``<field>__value`` inputs, so
rows can be added and removed in the page without renumbering. A post with
the field itself holding JSON (scripts, older pages) is read too.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy

PAIRS_MESSAGE = gettext_lazy('Enter headers as a list of ["Name", "value"] pairs.')


class HeaderRowsWidget(forms.Widget):
    # Found by the default form renderer in this app's templates.
    template_name = "integrations/widgets/header_rows.html"

    def rows_of(self, value: Any) -> list[tuple[str, str]]:
        if isinstance(value, str):
            try:
                value = json.loads(value) if value.strip() else []
            except ValueError:
                return []
        rows = []
        for pair in value or []:
            if isinstance(pair, list | tuple) and len(pair) == 2:
                rows.append((str(pair[0]), str(pair[1])))
        return rows

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        # One empty row to type into (without the page's script it is how a header is added).
        context["widget"]["rows"] = [*self.rows_of(value), ("", "")]
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if f"{name}__name" in data:
            names = data.getlist(f"{name}__name") if hasattr(data, "getlist") else [data[f"{name}__name"]]
            values = data.getlist(f"{name}__value") if hasattr(data, "getlist") else [data[f"{name}__value"]]
            values += [""] * (len(names) - len(values))
            return [[n, v] for n, v in zip(names, values, strict=False)]
        return data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return f"{name}__name" not in data and name not in data

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_name_0" if id_ else id_


class HeadersField(forms.Field):
    widget = HeaderRowsWidget

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[list[str]]:
        if value in (None, ""):
            return []
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise ValidationError(PAIRS_MESSAGE) from None
        if not isinstance(value, list):
            raise ValidationError(PAIRS_MESSAGE)
        rows: list[list[str]] = []
        for number, pair in enumerate(value, start=1):
            pairs = isinstance(pair, list | tuple) and len(pair) == 2
            if not (pairs and all(isinstance(p, str) for p in pair)):
                raise ValidationError(PAIRS_MESSAGE)
            name, text = pair[0].strip(), pair[1]
            if not name and not text.strip():
                continue  # an empty row
            if not name:
                raise ValidationError(
                    gettext("Header row %(number)s has a value but no name.") % {"number": number}
                )
            rows.append([name, text])
        return rows

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(initial) != self.to_python(data)
        except ValidationError:
            return True
