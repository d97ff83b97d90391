from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

from alerting.api.resources.common import ConfigViewSet, document, refuse
from alerting.models import Operator, OperatorGroup


class OperatorGroupSerializer(serializers.ModelSerializer):
    members = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=Operator.objects.all(),
        required=False,
        help_text="Operator ids. Everyone always holds every operator and cannot be edited.",
    )
    is_system = serializers.BooleanField(read_only=True)

    class Meta:
        model = OperatorGroup
        fields = ("id", "name", "is_everyone", "is_administrators", "is_system", "members", "created_at")
        read_only_fields = ("id", "is_everyone", "is_administrators", "created_at")

    def to_representation(self, instance: OperatorGroup) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.is_everyone:
            data["members"] = [str(pk) for pk in Operator.objects.order_by("id").values_list("id", flat=True)]
        return data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        group = self.instance
        if group is not None and group.is_system and "name" in attrs and attrs["name"] != group.name:
            refuse(f"{group.name} is a system group and cannot be renamed.", "name")
        if group is not None and group.is_everyone and "members" in attrs:
            # Sending back what was read is fine; changing it is not.
            if {op.pk for op in attrs["members"]} != set(Operator.objects.values_list("id", flat=True)):
                refuse(
                    "Everyone holds every operator automatically; its members cannot be edited.", "members"
                )
            del attrs["members"]
        return attrs

    def create(self, validated_data: dict[str, Any]) -> OperatorGroup:
        members = validated_data.pop("members", [])
        group = OperatorGroup.objects.create(**validated_data)
        group.members.set(members)
        return group

    def update(self, instance: OperatorGroup, validated_data: dict[str, Any]) -> OperatorGroup:
        members = validated_data.pop("members", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        instance.save()
        if members is not None:
            instance.members.set(members)
        return instance


@document("operator groups", OperatorGroupSerializer, "Operator groups")
class OperatorGroupViewSet(ConfigViewSet):
    serializer_class = OperatorGroupSerializer

    def get_queryset(self) -> QuerySet[OperatorGroup]:
        return OperatorGroup.objects.prefetch_related("members")

    def perform_destroy(self, instance: OperatorGroup) -> None:
        if instance.is_system:
            refuse(f"{instance.name} is a system group and cannot be deleted.")
        instance.delete()
