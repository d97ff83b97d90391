"""Serializers for an integration's parts. Each secret is write-only: the
answer carries ``<name>_set`` instead, and leaving the secret out of an update
keeps it ("" clears it)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from rest_framework import serializers

from integrations import captures
from integrations.models import (
    AuthType,
    HttpMethod,
    IntegrationStep,
    IntegrationVariable,
    StatusHubService,
    VariableMode,
)


def secret_field(help_text: str) -> serializers.CharField:
    return serializers.CharField(
        write_only=True, required=False, allow_blank=True, trim_whitespace=False, help_text=help_text
    )


class VariableSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=100, validators=IntegrationVariable._meta.get_field("name").validators
    )
    mode = serializers.ChoiceField(VariableMode.choices, default=VariableMode.FIXED)
    is_secret = serializers.BooleanField(default=False)
    value = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="The value of a non-secret variable.",
    )
    secret_value = secret_field("The value of a secret variable; never shown again.")
    secret_value_set = serializers.SerializerMethodField()
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)

    def get_secret_value_set(self, variable: IntegrationVariable) -> bool:
        return bool(variable.secret_value)

    def to_representation(self, instance: IntegrationVariable) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.is_secret:
            # A secret variable's value lives in secret_value; never echo anything for it.
            data["value"] = ""
        return data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("secret_value") and not attrs.get("is_secret"):
            raise serializers.ValidationError(
                {"secret_value": [gettext("Only a secret variable (is_secret: true) takes a secret_value.")]}
            )
        if attrs.get("is_secret") and attrs.get("value"):
            raise serializers.ValidationError(
                {
                    "value": [
                        gettext(
                            "Send a secret variable's value as secret_value; value is for plain variables."
                        )
                    ]
                }
            )
        return attrs


class CaptureSerializer(serializers.Serializer):
    name = serializers.RegexField(
        captures.NAME_RE.pattern,
        max_length=100,
        help_text="Later steps of the same message use the value as {{name}}.",
        error_messages={"invalid": "A name is letters, digits and underscores, not starting with a digit."},
    )
    # The metaclass takes declared fields off the class, so this does not
    # shadow Field.source at run time; mypy sees only the class attribute.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        captures.SOURCES, help_text="json-pointer (RFC 6901) or regex (the first group, else the match)."
    )
    expression = serializers.CharField(max_length=captures.MAX_EXPRESSION, trim_whitespace=False)
    secret = serializers.BooleanField(
        default=False,
        help_text="Redact the value wherever the request or response is stored or shown (names such as "
        "token, session or password are redacted anyway).",
    )
    optional = serializers.BooleanField(
        default=False,
        help_text="When nothing is found the value is empty and the message goes on; otherwise the "
        "message fails, naming the step and the capture.",
    )


class StepSerializer(serializers.Serializer):
    position = serializers.IntegerField(min_value=1, required=False, help_text="Defaults to the list order.")
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    handles_alert = serializers.BooleanField(default=True)
    handles_ok = serializers.BooleanField(default=True)
    handles_reminder = serializers.BooleanField(default=True)
    handles_acknowledged = serializers.BooleanField(
        default=False, help_text="Send this step when the incident is acknowledged (off unless asked for)."
    )
    method = serializers.ChoiceField(HttpMethod.choices, default=HttpMethod.POST)
    url = serializers.CharField(help_text="A template, e.g. https://hooks.example.com/{{Token}}.")
    headers = serializers.ListField(
        child=serializers.ListField(
            child=serializers.CharField(allow_blank=True), min_length=2, max_length=2
        ),
        required=False,
        help_text="A list of [name, value] pairs; values are templates.",
    )
    body = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    content_type = serializers.CharField(max_length=100, required=False, allow_blank=True)
    auth_type = serializers.ChoiceField(AuthType.choices, default=AuthType.NONE)
    auth_username = serializers.CharField(max_length=300, required=False, allow_blank=True)
    auth_password = secret_field("Basic authentication password; never shown again.")
    auth_password_set = serializers.SerializerMethodField()
    auth_token = secret_field("Bearer token; never shown again.")
    auth_token_set = serializers.SerializerMethodField()
    captures = CaptureSerializer(
        many=True,
        required=False,
        help_text="Values this step takes from its response for the later steps of the same message.",
    )

    def get_auth_password_set(self, step: IntegrationStep) -> bool:
        return bool(step.auth_password)

    def get_auth_token_set(self, step: IntegrationStep) -> bool:
        return bool(step.auth_token)


class StatusHubServiceSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    webhook_url = secret_field("The service's hook URL (it holds a token); never shown again.")
    webhook_url_set = serializers.SerializerMethodField()

    def get_webhook_url_set(self, service: StatusHubService) -> bool:
        return bool(service.webhook_url)
