"""Write-only form fields for secrets.

A secret is never rendered back into a page: the field shows only whether a
value is set. Submitting it empty keeps the stored value; ticking "clear"
removes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString


class SecretInput(forms.PasswordInput):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"autocomplete": "new-password", **(attrs or {})}, render_value=False)
        self.is_set = False

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        attrs = dict(attrs or {})
        attrs["placeholder"] = "•••••••• (set; leave empty to keep)" if self.is_set else "not set"
        html = super().render(name, None, attrs, renderer)
        if self.is_set:
            html += format_html(
                ' <label class="secret-clear"><input type="checkbox" name="{}__clear"> clear</label>', name
            )
        return html

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if data.get(f"{name}__clear"):
            return SecretField.CLEAR
        return super().value_from_datadict(data, files, name)


class SecretField(forms.CharField):
    # Sent by the "clear" checkbox; cannot collide with a pasted secret in practice.
    CLEAR = "<<clear-this-secret>>"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", SecretInput)
        kwargs["required"] = False
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)


# The mixin's methods run on a ModelForm; the checker is told so.
_FormBase = forms.ModelForm if TYPE_CHECKING else object


class SecretFieldsMixin(_FormBase):  # type: ignore[misc,valid-type]
    """For ModelForms: ``secret_fields`` become write-only."""

    secret_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        for name in self.secret_fields:
            if name not in self.fields:
                continue
            old = self.fields[name]
            field = SecretField(label=old.label, help_text=old.help_text)
            field.widget.is_set = bool(instance is not None and getattr(instance, name, ""))
            self.fields[name] = field
            self.initial.pop(name, None)

    def _post_clean(self) -> None:
        instance = self.instance
        for name in self.secret_fields:
            if name not in self.cleaned_data:
                continue
            value = self.cleaned_data[name]
            if value == SecretField.CLEAR:
                self.cleaned_data[name] = ""
            elif value in ("", None):
                # Empty means "keep": restore the stored value before it is assigned.
                self.cleaned_data[name] = getattr(instance, name, "") if instance.pk else ""
        super()._post_clean()
