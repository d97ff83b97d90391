"""The step editor's captures: one row per value a step takes from its
response (name, source, expression, secret, optional), posted as
``<field>-<n>-name`` … with ``<field>-rows`` giving the number of rows.

Empty rows are ignored, so the editor always offers a blank one (and the
*Add a capture* button more). A post without rows (a script) may send the
field as a JSON list instead.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_lazy

from integrations import captures

SOURCE_LABELS = (
    ("json-pointer", gettext_lazy("JSON pointer")),
    ("regex", gettext_lazy("Regular expression")),
)
MAX_ROWS = captures.MAX_CAPTURES + 5
BLANK_ROWS = 1


def posted_rows(data: Any, name: str) -> list[dict[str, Any]] | str | None:
    """The rows posted for the field ``name``, the raw JSON text a script
    sent instead, or None when the page posted nothing for it."""
    count = data.get(f"{name}-rows")
    if count is None:
        raw = data.get(name)
        return raw if isinstance(raw, str) else None
    try:
        total = min(int(count), MAX_ROWS)
    except (TypeError, ValueError):
        total = 0
    rows = []
    for index in range(total):
        prefix = f"{name}-{index}-"
        row: dict[str, Any] = {
            "name": (data.get(prefix + "name") or "").strip(),
            "source": data.get(prefix + "source") or "json-pointer",
            "expression": data.get(prefix + "expression") or "",
            "secret": bool(data.get(prefix + "secret")),
            "optional": bool(data.get(prefix + "optional")),
        }
        if row["name"] or row["expression"]:
            rows.append(row)
    return rows


class CaptureRowsWidget(forms.Widget):
    class Media:
        js = ("integrations/captures.js",)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return posted_rows(data, name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return f"{name}-rows" not in data and name not in data

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        rows = value if isinstance(value, list) else []
        rows = [r for r in rows if isinstance(r, dict)]
        shown = [*rows, *({} for _blank in range(BLANK_ROWS))]
        body = format_html_join("", "{}", ((self._row(name, i, row),) for i, row in enumerate(shown)))
        head = format_html_join(
            "",
            "<th>{}</th>",
            (
                (gettext("Name"),),
                (gettext("From the response, by"),),
                (gettext("Expression"),),
                (gettext("Secret"),),
                (gettext("Optional"),),
            ),
        )
        return format_html(
            '<div class="capture-rows" data-field="{}">'
            "<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>"
            '<input type="hidden" name="{}-rows" value="{}">'
            '<button type="button" class="button capture-add">{}</button></div>',
            name,
            head,
            body,
            name,
            len(shown),
            gettext("Add a capture"),
        )

    def _row(self, name: str, index: int, row: dict[str, Any]) -> SafeString:
        prefix = f"{name}-{index}-"
        source = row.get("source", "json-pointer")
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((value, " selected" if value == source else "", label) for value, label in SOURCE_LABELS),
        )
        return format_html(
            "<tr>"
            '<td><input type="text" name="{}name" value="{}" class="capture-name" maxlength="100" '
            'placeholder="IncidentId" spellcheck="false" aria-label="{}"></td>'
            '<td><select name="{}source" aria-label="{}">{}</select></td>'
            '<td><input type="text" name="{}expression" value="{}" class="code-input" '
            'placeholder="/result/0/sys_id" spellcheck="false" aria-label="{}"></td>'
            '<td><input type="checkbox" name="{}secret"{} aria-label="{}"></td>'
            '<td><input type="checkbox" name="{}optional"{} aria-label="{}"></td>'
            "</tr>",
            prefix,
            row.get("name", ""),
            gettext("Capture name"),
            prefix,
            gettext("Source"),
            options,
            prefix,
            row.get("expression", ""),
            gettext("Expression"),
            prefix,
            " checked" if row.get("secret") else "",
            gettext("Secret"),
            prefix,
            " checked" if row.get("optional") else "",
            gettext("Optional"),
        )


class CaptureRowsField(forms.Field):
    widget = CaptureRowsWidget
    default_help_text = gettext_lazy(
        "Values this step takes from its response for the later steps of the same message, used there as "
        "{{Name}}: by JSON pointer (/result/0/sys_id) or by regular expression (the first group). When "
        "nothing is found the message fails, naming the step and capture, unless the capture is optional "
        "(then it is empty). Secret values (and names such as token or session) are hidden in the log."
    )

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", self.default_help_text)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[dict[str, Any]]:
        if value in (None, ""):
            return []
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise ValidationError(
                    gettext('Enter captures as a list of {"name", "source", "expression"} objects.')
                ) from None
        return value  # anything but a list is refused by validate()

    def validate(self, value: Any) -> None:
        super().validate(value)
        problems = captures.definition_errors(value)
        if problems:
            raise ValidationError(problems)

    def clean(self, value: Any) -> list[dict[str, Any]]:
        return captures.normalized(super().clean(value))

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return captures.normalized(self.to_python(data)) != captures.normalized(initial or [])
        except ValidationError:
            return True


def posted_capture_names(data: Any, prefix: str = "steps") -> set[str]:
    """The capture names of every step posted on the page (not deleted)."""
    try:
        total = min(int(data.get(f"{prefix}-TOTAL_FORMS", "")), 1000)
    except (TypeError, ValueError):
        return set()
    names: set[str] = set()
    for index in range(total):
        if data.get(f"{prefix}-{index}-DELETE"):
            continue
        rows = posted_rows(data, f"{prefix}-{index}-captures")
        if isinstance(rows, str):
            try:
                rows = json.loads(rows)
            except ValueError:
                continue
        names |= {c.name for c in captures.parse_captures(rows)}
    return names
