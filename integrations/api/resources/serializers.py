from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from integrations import presets, provisioning
from integrations.api.resources import writes
from integrations.api.resources.functions import FunctionSerializer
from integrations.api.resources.parts import StatusHubServiceSerializer, StepSerializer, VariableSerializer
from integrations.field_lists import INTEGRATION, INTEGRATION_SECRETS
from integrations.models import Integration, IntegrationKind
from integrations.template_warnings import integration_warnings

# What an update sets as sent; the kind and the preset are settled apart.
SCALARS = tuple(name for name in (*INTEGRATION, *INTEGRATION_SECRETS) if name not in ("kind", "preset"))


class IntegrationSerializer(serializers.ModelSerializer):
    name = serializers.CharField(max_length=200, validators=[UniqueValidator(Integration.objects.all())])
    kind = serializers.ChoiceField(
        IntegrationKind.choices, required=False, help_text="Not needed with a preset (presets are custom)."
    )
    preset = serializers.CharField(
        max_length=50,
        required=False,
        allow_blank=True,
        help_text="On create: a preset slug; its variables and steps are filled in. Fixed afterwards.",
    )
    signing_secrets = serializers.ListField(
        child=serializers.CharField(trim_whitespace=False),
        write_only=True,
        required=False,
        help_text="HMAC-SHA256 signing secrets (custom integrations); never shown again.",
    )
    signing_secrets_set = serializers.SerializerMethodField()
    variables = VariableSerializer(
        many=True,
        required=False,
        help_text="Matched by name. On a custom integration the list replaces the variables; on a "
        "built-in one or an uncustomized preset it sets the values of those named. A secret left "
        "out keeps its stored value.",
    )
    steps = StepSerializer(
        many=True,
        required=False,
        help_text="Custom integrations only (a preset's once customized). Replaces the steps. A message "
        "runs every step that handles its alert type, in position order.",
    )
    statushub_services = StatusHubServiceSerializer(many=True, required=False, help_text="StatusHub only.")
    functions = FunctionSerializer(
        many=True,
        required=False,
        help_text="User-defined functions (mapping, regular expression, hash), called in templates as "
        "{{Name(…)}}. Replaces the functions; a hash key left out keeps the stored one.",
    )
    warnings = serializers.SerializerMethodField(
        help_text="What was saved but may not be meant: unknown @ variables (they render empty), "
        "aliases, invisible characters inside {{…}}."
    )

    class Meta:
        model = Integration
        fields = (
            "id",
            *INTEGRATION,
            "is_builtin",
            *INTEGRATION_SECRETS,
            "signing_secrets_set",
            "variables",
            "steps",
            "statushub_services",
            "functions",
            "warnings",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "is_builtin", "created_at", "updated_at")

    def get_signing_secrets_set(self, integration: Integration) -> bool:
        return bool(integration.signing_secrets)

    def get_warnings(self, integration: Integration) -> list[str]:
        return integration_warnings(integration)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        current = self.instance
        errors: dict[str, Any] = {}
        if current is None:
            if attrs.get("preset"):
                if attrs["preset"] not in presets.presets():
                    errors["preset"] = [
                        f"Unknown preset {attrs['preset']!r}; the presets are "
                        + ", ".join(sorted(presets.presets()))
                        + "."
                    ]
                if attrs.get("kind", IntegrationKind.WEBHOOK) != IntegrationKind.WEBHOOK:
                    errors["kind"] = [
                        gettext("An integration from a preset is a custom (webhook) integration.")
                    ]
                attrs["kind"] = IntegrationKind.WEBHOOK
            elif "kind" not in attrs:
                errors["kind"] = [gettext("Give the kind, or a preset.")]
        else:
            if "kind" in attrs and attrs["kind"] != current.kind:
                errors["kind"] = [gettext("The kind of an integration cannot change; create a new one.")]
            if "preset" in attrs and attrs["preset"] != current.preset:
                errors["preset"] = [gettext("The preset is chosen when the integration is created.")]
        kind = attrs.get("kind", current.kind if current else None)
        preset = attrs.get("preset", current.preset if current else "")
        customized = attrs.get("customized", current.customized if current else False)
        if attrs.get("steps") and kind != IntegrationKind.WEBHOOK:
            errors["steps"] = [gettext("Only custom integrations have steps.")]
        elif attrs.get("steps") and preset and not customized:
            errors["steps"] = [
                gettext("The steps come from the preset; set customized to true to edit them.")
            ]
        elif attrs.get("steps"):
            errors.update(step_list_errors(attrs["steps"]))
        if attrs.get("statushub_services") and kind != IntegrationKind.STATUSHUB:
            errors["statushub_services"] = [gettext("Only StatusHub integrations have StatusHub services.")]
        for field in ("variables", "statushub_services", "functions"):
            names = [item["name"] for item in attrs.get(field, [])]
            if len(names) != len(set(names)) and field not in errors:
                errors[field] = [gettext("Each name may appear only once.")]
        if "variables" in attrs and "variables" not in errors and not replaces_variables(current, attrs):
            known = set(current.variables.values_list("name", flat=True)) if current else set()
            if current is None and preset in presets.presets():
                known = {v.name for v in presets.get(preset).variables}
            unknown = sorted({v["name"] for v in attrs["variables"]} - known)
            if unknown:
                errors["variables"] = [
                    "These variables are predefined and cannot be added to: " + ", ".join(unknown) + "."
                ]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Integration:
        integration = Integration(kind=validated_data["kind"])
        set_scalars(integration, validated_data)
        integration.save()
        if validated_data.get("preset"):
            provisioning.apply_preset(integration, validated_data["preset"])
        else:
            provisioning.ensure_kind_variables(integration)
        write_parts(integration, validated_data, replace_variables=not validated_data.get("preset"))
        return integration

    def update(self, instance: Integration, validated_data: dict[str, Any]) -> Integration:
        set_scalars(instance, validated_data)
        instance.save()
        write_parts(instance, validated_data, replace_variables=replaces_variables(instance, validated_data))
        return instance


def replaces_variables(current: Integration | None, attrs: dict[str, Any]) -> bool:
    if current is None:
        return not attrs.get("preset")
    if current.is_builtin:
        return False
    return not current.preset or attrs.get("customized", current.customized)


def step_list_errors(steps: list[dict[str, Any]]) -> dict[str, Any]:
    positions = [step.get("position", index + 1) for index, step in enumerate(steps)]
    if len(positions) != len(set(positions)):
        return {"steps": [gettext("Each position may appear only once.")]}
    return {}


def set_scalars(integration: Integration, data: dict[str, Any]) -> None:
    for field in SCALARS:
        if field in data:
            setattr(integration, field, data[field])
    try:
        integration.full_clean(exclude=["kind", "preset"], validate_unique=False, validate_constraints=False)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(serializers.as_serializer_error(exc)) from None


def write_parts(integration: Integration, data: dict[str, Any], replace_variables: bool) -> None:
    # Functions first: the variables' templates (e-mail subjects) and the
    # steps' are checked against them.
    if "functions" in data:
        writes.apply_functions(integration, data["functions"])
    if "variables" in data:
        writes.apply_variables(integration, data["variables"], replace=replace_variables)
    if "steps" in data:
        writes.apply_steps(integration, data["steps"])
    elif "variables" in data or "functions" in data:
        writes.check_saved_steps(integration, "functions" if "functions" in data else "variables")
    if "statushub_services" in data:
        writes.apply_services(integration, data["statushub_services"])
