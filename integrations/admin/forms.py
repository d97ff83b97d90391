"""Forms of the integration editor: the integration, its predefined variables,
its steps and StatusHub services."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy, ngettext

from alerting.field_lists import flat
from alertsite.secret_forms import SecretField, SecretFieldsMixin
from integrations import captures, kinds
from integrations.admin.capture_rows import CaptureRowsField, posted_capture_names
from integrations.admin.headers import HeadersField
from integrations.field_lists import INTEGRATION, SERVICE, SERVICE_SECRETS, STEP_ROWS, VARIABLE_COLUMNS
from integrations.models import (
    Integration,
    IntegrationStep,
    IntegrationVariable,
    StatusHubService,
    VariableMode,
)

TEST_ALERT_TYPES = [
    ("Alert", "Alert"),
    ("Ok", "Ok"),
    ("Reminder", "Reminder"),
    ("Acknowledged", "Acknowledged"),
]


def code_area(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "code-input", "spellcheck": "false"})


class VariableForm(SecretFieldsMixin, forms.ModelForm):
    secret_fields = ("secret_value",)

    class Meta:
        model = IntegrationVariable
        fields = (*VARIABLE_COLUMNS, "position")
        widgets = {
            "mode": forms.RadioSelect,
            "value": forms.TextInput(attrs={"class": "vValue", "spellcheck": "false"}),
            "description": forms.TextInput(attrs={"class": "vDescription"}),
            "position": forms.NumberInput(attrs={"class": "vPosition"}),
        }


class StepForm(SecretFieldsMixin, forms.ModelForm):
    secret_fields = ("auth_password", "auth_token")
    captures = CaptureRowsField()
    headers = HeadersField(
        help_text=gettext_lazy(
            "Values may hold variables; a Content-Type header here overrides the content type."
        )
    )

    class Meta:
        model = IntegrationStep
        fields = flat(STEP_ROWS)
        widgets = {
            "url": forms.TextInput(attrs={"class": "vURL code-input", "spellcheck": "false"}),
            "body": code_area(14),
        }
        labels = {
            "handles_alert": gettext_lazy("Error alert"),
            "handles_ok": gettext_lazy("OK alert"),
            "handles_reminder": gettext_lazy("Reminder"),
            "handles_acknowledged": gettext_lazy("Acknowledged"),
        }


def posted_variable_names(data: Any, prefix: str = "variables") -> set[str] | None:
    """The variable names in the posted variables formset (not deleted), or
    None when the page did not post that formset."""
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", ""))
    except (TypeError, ValueError):
        return None
    names = set()
    for i in range(min(total, 1000)):
        name = (data.get(f"{prefix}-{i}-name") or "").strip()
        if name and not data.get(f"{prefix}-{i}-DELETE"):
            names.add(name)
    return names


class VariableFormSet(forms.BaseInlineFormSet):
    """A built-in kind's required variable (PagerDuty's RoutingKey) may not be
    removed: the integration could only fail when it sends."""

    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        form: forms.Form = super()._construct_form(i, **kwargs)  # type: ignore[misc]
        if self.is_bound:
            functions = posted_variable_names(self.data, "functions")
            if functions is not None:
                # E-mail subjects may call the functions edited on this page.
                form.instance.known_function_names = functions  # type: ignore[attr-defined]
        return form

    def clean(self) -> None:
        super().clean()
        names = posted_variable_names(self.data, self.prefix or "variables") if self.is_bound else None
        if names is None:
            return
        kind = self.data.get("kind") or self.instance.kind or ""
        missing = [n for n in kinds.required_names(kind) if n not in names]
        if missing:
            raise ValidationError(
                ngettext(
                    "This type of integration needs the variable %(names)s; add it back with its value "
                    "(or a value per escalation level).",
                    "This type of integration needs the variables %(names)s; add it back with its value "
                    "(or a value per escalation level).",
                    len(missing),
                )
                % {"names": ", ".join(missing)}
            )


class StepFormSet(forms.BaseInlineFormSet):
    """Steps are validated against the variables posted on the same page and
    the captures of every step posted with them; which step may use which
    capture is checked across the steps (``captures.chain_errors``)."""

    def _variable_names(self) -> set[str] | None:
        names = posted_variable_names(self.data)
        if names is None:
            return None
        kind = self.data.get("kind") or self.instance.kind
        return names | set(kinds.step_variables(kind or ""))

    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        form: forms.Form = super()._construct_form(i, **kwargs)  # type: ignore[misc]
        if self.is_bound:
            names = self._variable_names()
            if names is not None:
                known = names | posted_capture_names(self.data, self.prefix or "steps")
                form.instance.known_variable_names = known  # type: ignore[attr-defined]
            functions = posted_variable_names(self.data, "functions")
            if functions is not None:
                # The functions as edited on this page, saved or not.
                form.instance.known_function_names = functions  # type: ignore[attr-defined]
        return form

    def clean(self) -> None:
        super().clean()
        positions: set[int] = set()
        kept: list[forms.ModelForm] = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            position = data.get("position")
            if position in positions:
                form.add_error(
                    "position",
                    gettext("Another step already has position %(position)s.") % {"position": position},
                )
            positions.add(position)
            kept.append(form)
        names = self._variable_names()
        if names is None:
            names = set(self.instance.variables.values_list("name", flat=True)) if self.instance.pk else set()
        steps = [form.instance for form in kept]
        for index, fields in captures.chain_errors(steps, names).items():
            for field, messages in fields.items():
                for message in messages:
                    kept[index].add_error(field, message)


class StatusHubServiceForm(SecretFieldsMixin, forms.ModelForm):
    secret_fields = ("webhook_url",)

    class Meta:
        model = StatusHubService
        fields = (*SERVICE, *SERVICE_SECRETS)


def parse_assignments(text: str) -> dict[str, str]:
    """``Name = value`` lines into a dict (blank lines ignored)."""
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if "=" not in line:
            raise ValidationError(gettext("Line %(number)s: write Name = value.") % {"number": number})
        name, value = line.split("=", 1)
        if not name.strip():
            raise ValidationError(gettext("Line %(number)s: the name is missing.") % {"number": number})
        values[name.strip()] = value.strip()
    return values


def format_assignments(values: dict[str, Any]) -> str:
    return "\n".join(f"{k} = {v}" for k, v in values.items())


class IntegrationForm(forms.ModelForm):
    signing_secrets = SecretField(
        help_text=gettext_lazy(
            "Custom integrations: one HMAC signing secret per line; the first signs. "
            "Leave empty to keep the current secrets."
        ),
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
    )
    clear_signing_secrets = forms.BooleanField(
        required=False, label=gettext_lazy("Remove all signing secrets")
    )
    # Preview and test: not stored, used by "Preview" / "Send test alert" (of the unsaved form).
    test_alert_type = forms.ChoiceField(
        label=gettext_lazy("Alert type"),
        choices=TEST_ALERT_TYPES,
        initial="Alert",
        required=False,
        widget=forms.RadioSelect,
    )
    test_level = forms.IntegerField(
        label=gettext_lazy("Escalation level"), initial=1, min_value=1, max_value=10, required=False
    )
    test_values = forms.CharField(
        label=gettext_lazy("Per-level values"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "code-input", "placeholder": "Name = value"}),
        help_text=gettext_lazy(
            "Values for variables set to 'Value per escalation level', one Name = value per line. "
            "Every other variable gets its example value."
        ),
    )
    test_recipient = forms.CharField(
        label=gettext_lazy("Send to"),
        required=False,
        help_text=gettext_lazy("E-mail address (e-mail) or E.164 phone number (SMS, phone) for the test."),
    )

    class Meta:
        model = Integration
        fields = INTEGRATION

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "signing_secrets" in self.fields:
            count = len(self.instance.signing_secrets or []) if self.instance.pk else 0
            self.fields["signing_secrets"].help_text += f" Currently {count} secret(s) set."
        self.initial.pop("signing_secrets", None)

    def clean_test_values(self) -> dict[str, str]:
        return parse_assignments(self.cleaned_data.get("test_values") or "")

    def save(self, commit: bool = True) -> Integration:
        integration = super().save(commit=False)
        new = [line.strip() for line in (self.cleaned_data.get("signing_secrets") or "").splitlines()]
        new = [line for line in new if line and line != SecretField.CLEAR]
        if self.cleaned_data.get("clear_signing_secrets"):
            integration.signing_secrets = []
        elif new:
            integration.signing_secrets = new
        if commit:
            integration.save()
            self.save_m2m()
        return integration


def per_level_names(integration: Integration) -> list[str]:
    return [v.name for v in integration.variables.all() if v.mode == VariableMode.PER_LEVEL]


def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)
