from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from alertsite.secret_forms import SecretField, SecretFieldsMixin
from integrations.models import Integration, IntegrationStep, IntegrationVariable, StatusHubService


class VariableForm(SecretFieldsMixin, forms.ModelForm):
    secret_fields = ("secret_value",)

    class Meta:
        model = IntegrationVariable
        fields = ("name", "mode", "is_secret", "value", "secret_value", "description", "position")


class VariableInline(admin.TabularInline):
    model = IntegrationVariable
    form = VariableForm
    extra = 0
    fields = ("name", "mode", "is_secret", "value", "secret_value", "description", "position")


class StepForm(SecretFieldsMixin, forms.ModelForm):
    secret_fields = ("auth_password", "auth_token")

    class Meta:
        model = IntegrationStep
        fields = (
            "position",
            "name",
            "handles_alert",
            "handles_ok",
            "handles_reminder",
            "method",
            "url",
            "headers",
            "content_type",
            "body",
            "auth_type",
            "auth_username",
            "auth_password",
            "auth_token",
        )


class StepInline(admin.StackedInline):
    model = IntegrationStep
    form = StepForm
    extra = 0
    fields = (
        ("position", "name"),
        ("handles_alert", "handles_ok", "handles_reminder"),
        ("method", "url"),
        "headers",
        "content_type",
        "body",
        ("auth_type", "auth_username", "auth_password", "auth_token"),
    )


class StatusHubServiceForm(SecretFieldsMixin, forms.ModelForm):
    secret_fields = ("webhook_url",)

    class Meta:
        model = StatusHubService
        fields = ("name", "webhook_url")


class StatusHubServiceInline(admin.TabularInline):
    model = StatusHubService
    form = StatusHubServiceForm
    extra = 0


class IntegrationForm(forms.ModelForm):
    signing_secrets = SecretField(
        help_text="Custom integrations: one HMAC signing secret per line; the first signs. "
        "Leave empty to keep the current secrets.",
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
    )
    clear_signing_secrets = forms.BooleanField(required=False, label="Remove all signing secrets")

    class Meta:
        model = Integration
        fields = (
            "name",
            "kind",
            "preset",
            "is_active",
            "customized",
            "description",
            "rate_limit_per_minute",
            "connect_timeout",
            "read_timeout",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        count = len(self.instance.signing_secrets or []) if self.instance.pk else 0
        self.fields["signing_secrets"].help_text += f" Currently {count} secret(s) set."
        self.initial.pop("signing_secrets", None)

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


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    form = IntegrationForm
    list_display = (
        "name",
        "kind",
        "preset",
        "is_active",
        "step_count",
        "paused_until",
        "consecutive_failures",
    )
    list_filter = ("kind", "is_active", "preset")
    search_fields = ("name", "description")
    inlines = [VariableInline, StepInline, StatusHubServiceInline]
    readonly_fields = ("consecutive_failures", "paused_until")
    fieldsets = (
        (None, {"fields": ("name", "kind", "preset", "is_active", "customized", "description")}),
        (
            "Delivery",
            {
                "fields": (
                    "rate_limit_per_minute",
                    ("connect_timeout", "read_timeout"),
                    "signing_secrets",
                    "clear_signing_secrets",
                    ("consecutive_failures", "paused_until"),
                )
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Integration]:
        return super().get_queryset(request).annotate(_steps=Count("steps"))

    @admin.display(description="Steps", ordering="_steps")
    def step_count(self, obj: Integration) -> int:
        return obj._steps

    def get_readonly_fields(self, request: HttpRequest, obj: Integration | None = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None:
            # The type is fixed once created, as in Uptrends.
            fields += ("kind", "preset")
        return fields

    def has_delete_permission(self, request: HttpRequest, obj: Integration | None = None) -> bool:
        if obj is not None and obj.is_builtin:
            return False
        return super().has_delete_permission(request, obj)
