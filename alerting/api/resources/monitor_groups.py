from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

from alerting.api.resources.common import ConfigViewSet, document, refuse
from alerting.api.resources.monitors import MonitorRefField
from alerting.models import Monitor, MonitorGroup


class MonitorGroupSerializer(serializers.ModelSerializer):
    monitors = MonitorRefField(
        many=True,
        required=False,
        help_text="Monitor ids or keys (answered as ids). All monitors always holds every monitor.",
    )
    is_system = serializers.BooleanField(read_only=True)

    class Meta:
        model = MonitorGroup
        fields = ("id", "name", "is_all_monitors", "is_system", "monitors", "created_at")
        read_only_fields = ("id", "is_all_monitors", "created_at")

    def to_representation(self, instance: MonitorGroup) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.is_all_monitors:
            data["monitors"] = [str(pk) for pk in Monitor.objects.order_by("id").values_list("id", flat=True)]
        return data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        group = self.instance
        if group is not None and group.is_system and "name" in attrs and attrs["name"] != group.name:
            refuse(f"{group.name} is a system group and cannot be renamed.", "name")
        if group is not None and group.is_all_monitors and "monitors" in attrs:
            if {m.pk for m in attrs["monitors"]} != set(Monitor.objects.values_list("id", flat=True)):
                refuse(
                    "All monitors holds every monitor automatically; its members cannot be edited.",
                    "monitors",
                )
            del attrs["monitors"]
        return attrs

    def create(self, validated_data: dict[str, Any]) -> MonitorGroup:
        monitors = validated_data.pop("monitors", [])
        group = MonitorGroup.objects.create(**validated_data)
        group.monitors.set(monitors)
        return group

    def update(self, instance: MonitorGroup, validated_data: dict[str, Any]) -> MonitorGroup:
        monitors = validated_data.pop("monitors", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        instance.save()
        if monitors is not None:
            instance.monitors.set(monitors)
        return instance


@document("monitor groups", MonitorGroupSerializer, "Monitor groups")
class MonitorGroupViewSet(ConfigViewSet):
    serializer_class = MonitorGroupSerializer

    def get_queryset(self) -> QuerySet[MonitorGroup]:
        return MonitorGroup.objects.prefetch_related("monitors")

    def perform_destroy(self, instance: MonitorGroup) -> None:
        if instance.is_system:
            refuse(f"{instance.name} is a system group and cannot be deleted.")
        instance.delete()
