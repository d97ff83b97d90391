"""Forms for escalation levels edited on their alert definition's page, each
level with its own nested formset of integrations (LevelIntegration rows).

The nested formsets need no JavaScript: each level shows its integrations and
one blank row to add another; saving shows a fresh blank row. With JavaScript
(alerting/static/alerting/levels.js) the levels become tabs and "Add another
integration" adds as many blank rows as wanted before one save.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alerting.field_lists import LEVEL, LEVEL_RELATIONS
from alerting.models import EscalationLevel, Operator, OperatorGroup
from alerting.models.definitions import validate_level_numbers
from integrations.field_lists import LINK
from integrations.models import LevelIntegration

LINKS_SUFFIX = "links"


class StructuredTextField(forms.CharField):
    """Text that stands for a list or dict: empty text equals an empty value."""

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            value: Any = self.to_python(data)
        except ValidationError:
            return True
        return (initial or type(value)()) != value


class LinesField(StructuredTextField):
    """A list of strings, one per line (commas also separate)."""

    widget = forms.Textarea(attrs={"rows": 2})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [part.strip() for line in text.splitlines() for part in line.split(",") if part.strip()]


class AssignmentsField(StructuredTextField):
    """A dict of name -> value, written as ``Name = value`` lines."""

    widget = forms.Textarea(attrs={"rows": 2, "placeholder": "Name = value"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return "\n".join(f"{k} = {v}" for k, v in value.items())
        return value

    def to_python(self, value: Any) -> dict[str, str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        result: dict[str, str] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            if "=" not in line:
                raise ValidationError(gettext("Line %(number)s: write Name = value.") % {"number": number})
            name, val = line.split("=", 1)
            if not name.strip():
                raise ValidationError(gettext("Line %(number)s: the name is missing.") % {"number": number})
            result[name.strip()] = val.strip()
        return result


class ServiceLinksField(AssignmentsField):
    """StatusHub links as ``monitor key = service name`` lines."""

    widget = forms.Textarea(attrs={"rows": 2, "placeholder": "monitor key = service name"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(f"{item.get('monitor', '')} = {item.get('service', '')}" for item in value)
        return value

    def to_python(self, value: Any) -> list[dict[str, str]]:  # type: ignore[override]
        return [{"monitor": k, "service": v} for k, v in super().to_python(value).items()]


class LevelIntegrationForm(forms.ModelForm):
    variable_values = AssignmentsField(
        label=_("Per-level values"),
        required=False,
        help_text=_("For variables set to 'Value per escalation level': one Name = value per line."),
    )
    extra_email_addresses = LinesField(
        label=_("Extra e-mail addresses"), required=False, help_text=_("E-mail only; one per line.")
    )
    statushub_service_links = ServiceLinksField(
        label=_("StatusHub services"),
        required=False,
        help_text=_("StatusHub only: monitor key = service name."),
    )

    class Meta:
        model = LevelIntegration
        fields = ("integration", *LINK)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        integration = data.get("integration")
        values = data.get("variable_values") or {}
        if integration is not None and values:
            from integrations.models import VariableMode
            from integrations.validation import level_value_errors

            per_level = {v.name for v in integration.variables.all() if v.mode == VariableMode.PER_LEVEL}
            unknown = sorted(set(values) - per_level)
            if per_level:
                text = gettext(
                    "%(name)s is not a per-level variable of %(integration)s (those are %(names)s)."
                )
            else:
                text = gettext("%(name)s is not a per-level variable of %(integration)s; it has none.")
            names = ", ".join(sorted(per_level))
            errors = [text % {"name": name, "integration": integration, "names": names} for name in unknown]
            errors += level_value_errors(integration, values)
            if errors:
                self.add_error("variable_values", errors)
        return data


LinkFormSet = forms.inlineformset_factory(
    EscalationLevel, LevelIntegration, form=LevelIntegrationForm, extra=1, can_delete=True
)


class LevelForm(forms.ModelForm):
    operators = forms.ModelMultipleChoiceField(
        queryset=Operator.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    operator_groups = forms.ModelMultipleChoiceField(
        queryset=OperatorGroup.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = EscalationLevel
        fields = (*LEVEL, *LEVEL_RELATIONS)
        widgets = {"message": forms.Textarea(attrs={"rows": 2})}

    def notifies_nobody(self) -> bool:
        """An active level with no operator, group or active integration (as
        the form stands: posted values, else the saved ones)."""
        if not self["is_active"].value():
            return False
        if self["operators"].value() or self["operator_groups"].value():
            return False
        links = getattr(self, "links", None)
        if links is None:
            return not (self.instance.pk and self.instance.integration_links.filter(is_active=True).exists())
        for link in links.forms:
            deleted = "DELETE" in link.fields and link["DELETE"].value()
            if link["integration"].value() and link["is_active"].value() and not deleted:
                return False
        return True


class LevelFormSet(forms.BaseInlineFormSet):
    """Levels numbered 1..N, each carrying its integrations as ``form.links``."""

    def add_fields(self, form: Any, index: int | None) -> None:
        super().add_fields(form, index)
        prefix = f"{form.prefix}-{LINKS_SUFFIX}"
        data = self.data if self.is_bound and f"{prefix}-TOTAL_FORMS" in self.data else None
        # A page that did not post the nested formset (an older client, an API
        # test) leaves the level's integrations as they are.
        form.links = (
            None
            if self.is_bound and data is None
            else LinkFormSet(data, instance=form.instance, prefix=prefix)
        )

    def live_forms(self) -> list[Any]:
        # The forms not ticked for deletion (Django's own check is private).
        return [
            f for f in self.forms if not (self.can_delete and getattr(f, "cleaned_data", {}).get("DELETE"))
        ]

    def clean(self) -> None:
        super().clean()
        numbers = [
            form.cleaned_data["number"]
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and "number" in form.cleaned_data
        ]
        if numbers:
            try:
                validate_level_numbers(numbers)
            except ValidationError as exc:
                raise ValidationError(exc.messages) from None
        broken = [
            str(form.cleaned_data.get("number") or "?")
            for form in self.live_forms()
            if getattr(form, "links", None) is not None and not form.links.is_valid()
        ]
        if broken:
            raise ValidationError(
                gettext("Check the integrations of level %(levels)s.") % {"levels": ", ".join(broken)}
            )

    def save_links(self) -> None:
        for form in self.live_forms():
            if getattr(form, "links", None) is not None and form.instance.pk:
                form.links.instance = form.instance
                form.links.save()
