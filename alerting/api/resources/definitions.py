"""Alert definitions with their escalation levels nested, and each level's
operators, operator groups and integration links."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext
from rest_framework import serializers

from alerting.api.resources.common import ConfigViewSet, document, refuse
from alerting.api.resources.monitors import MonitorRefField
from alerting.definition_checks import link_errors
from alerting.field_lists import DEFINITION, DEFINITION_RELATIONS, LEVEL, LEVEL_RELATIONS
from alerting.models import AlertDefinition, EscalationLevel
from alerting.models.definitions import validate_level_numbers
from integrations.field_lists import LINK
from integrations.models import LevelIntegration


class LevelIntegrationSerializer(serializers.ModelSerializer):
    integration_name = serializers.CharField(source="integration.name", read_only=True)
    integration_kind = serializers.CharField(source="integration.kind", read_only=True)

    class Meta:
        model = LevelIntegration
        fields = (
            "integration",
            "integration_name",
            "integration_kind",
            *LINK,
        )
        extra_kwargs = {
            "variable_values": {"help_text": "Values for the integration's per-level variables."},
            "statushub_service_links": {
                "help_text": 'StatusHub only: [{"monitor": <monitor key>, "service": <service name>}].'
            },
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "integration" not in attrs:
            # A PATCH relaxes required fields down the tree; a link is matched by
            # its integration, so (as for PUT) it must name one.
            refuse(gettext("This field is required."), "integration")
        errors = link_errors(
            attrs["integration"],
            attrs.get("variable_values", {}),
            attrs.get("extra_email_addresses", []),
            attrs.get("statushub_service_links", []),
        )
        if errors:
            raise serializers.ValidationError({k: [v] for k, v in errors.items()})
        return attrs


class EscalationLevelSerializer(serializers.ModelSerializer):
    integrations = LevelIntegrationSerializer(
        many=True,
        source="integration_links",
        required=False,
        help_text="The integrations this level uses. Sending the list replaces the level's links.",
    )

    class Meta:
        model = EscalationLevel
        fields = (
            *LEVEL,
            *LEVEL_RELATIONS,
            "integrations",
        )
        extra_kwargs = {"number": {"required": True}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "number" not in attrs:
            # A PATCH relaxes required fields; levels are matched by number, so it stays required.
            refuse(gettext("Each level needs its number."), "number")
        integrations = [link["integration"].pk for link in attrs.get("integration_links", [])]
        if len(integrations) != len(set(integrations)):
            refuse(gettext("Each integration may be linked to a level only once."), "integrations")
        return attrs


class AlertDefinitionSerializer(serializers.ModelSerializer):
    monitors = MonitorRefField(many=True, required=False, help_text="Monitor ids or keys (answered as ids).")
    levels = EscalationLevelSerializer(
        many=True,
        required=False,
        help_text="Escalation levels numbered 1..N without gaps. A new definition sent without levels "
        "gets levels 1–3 (level 1 active at one error). Sending the list replaces the levels: "
        "levels are matched by number, and numbers left out are deleted.",
    )

    class Meta:
        model = AlertDefinition
        fields = ("id", *DEFINITION, *DEFINITION_RELATIONS, "levels", "created_at")
        read_only_fields = ("id", "created_at")

    def validate_levels(self, levels: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if levels:
            try:
                validate_level_numbers([level["number"] for level in levels])
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages) from None
        return levels

    def create(self, validated_data: dict[str, Any]) -> AlertDefinition:
        levels = validated_data.pop("levels", None)
        monitors = validated_data.pop("monitors", [])
        groups = validated_data.pop("monitor_groups", [])
        if levels:
            definition = AlertDefinition.objects.create(**validated_data)
            sync_levels(definition, levels)
        else:
            definition = AlertDefinition.create_with_default_levels(**validated_data)
        definition.monitors.set(monitors)
        definition.monitor_groups.set(groups)
        return definition

    def update(self, instance: AlertDefinition, validated_data: dict[str, Any]) -> AlertDefinition:
        levels = validated_data.pop("levels", None)
        monitors = validated_data.pop("monitors", None)
        groups = validated_data.pop("monitor_groups", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        instance.save()
        if monitors is not None:
            instance.monitors.set(monitors)
        if groups is not None:
            instance.monitor_groups.set(groups)
        if levels is not None:
            if not levels:
                refuse(gettext("A definition needs at least level 1."), "levels")
            sync_levels(instance, levels)
        return instance


def sync_levels(definition: AlertDefinition, levels: list[dict[str, Any]]) -> None:
    """Make the definition's levels the given ones, keeping rows (and so the
    escalation state of open incidents) for numbers that stay."""
    existing = {level.number: level for level in definition.levels.all()}
    for data in levels:
        data = dict(data)
        links = data.pop("integration_links", None)
        operators = data.pop("operators", None)
        groups = data.pop("operator_groups", None)
        level = existing.get(data["number"]) or EscalationLevel(definition=definition)
        for name, value in data.items():
            setattr(level, name, value)
        level.save()
        if operators is not None:
            level.operators.set(operators)
        if groups is not None:
            level.operator_groups.set(groups)
        if links is not None:
            sync_links(level, links)
    kept = {data["number"] for data in levels}
    definition.levels.exclude(number__in=kept).delete()


def sync_links(level: EscalationLevel, links: list[dict[str, Any]]) -> None:
    existing = {link.integration_id: link for link in level.integration_links.all()}
    for data in links:
        link = existing.get(data["integration"].pk) or LevelIntegration(level=level)
        for name, value in data.items():
            setattr(link, name, value)
        link.save()
    level.integration_links.exclude(integration__in=[data["integration"] for data in links]).delete()


@document("alert definitions", AlertDefinitionSerializer, "Alert definitions")
class AlertDefinitionViewSet(ConfigViewSet):
    serializer_class = AlertDefinitionSerializer

    def get_queryset(self) -> QuerySet[AlertDefinition]:
        levels = EscalationLevel.objects.order_by("number").prefetch_related(
            "operators",
            "operator_groups",
            Prefetch(
                "integration_links",
                queryset=LevelIntegration.objects.select_related("integration").order_by("integration__name"),
            ),
        )
        return AlertDefinition.objects.prefetch_related(
            "monitors",
            "monitor_groups",
            Prefetch("levels", queryset=levels),  # type: ignore[arg-type]  # a custom queryset
        )
