from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

from alerting.api.resources.common import ConfigViewSet, document
from alerting.api.resources.schedules import check_window
from alerting.field_lists import OPERATOR, SCHEDULE
from alerting.models import OffDutySchedule, Operator


class OffDutyScheduleSerializer(serializers.ModelSerializer):
    class Meta:
        model = OffDutySchedule
        fields = ("id", *SCHEDULE)
        read_only_fields = ("id",)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        check_window(OffDutySchedule, attrs)
        return attrs


class OperatorSerializer(serializers.ModelSerializer):
    off_duty_schedules = OffDutyScheduleSerializer(
        many=True,
        required=False,
        help_text="Windows in which the operator gets no alerts. Sending the list replaces every schedule.",
    )
    groups: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Groups this operator is a member of (edit on the group)."
    )

    class Meta:
        model = Operator
        fields = (
            "id",
            *OPERATOR,
            "off_duty_schedules",
            "groups",
            "created_at",
        )
        read_only_fields = ("id", "created_at")

    def create(self, validated_data: dict[str, Any]) -> Operator:
        schedules = validated_data.pop("off_duty_schedules", [])
        operator = Operator.objects.create(**validated_data)
        replace_schedules(operator, schedules)
        return operator

    def update(self, instance: Operator, validated_data: dict[str, Any]) -> Operator:
        schedules = validated_data.pop("off_duty_schedules", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        instance.save()
        if schedules is not None:
            replace_schedules(instance, schedules)
        return instance


def replace_schedules(operator: Operator, schedules: list[dict[str, Any]]) -> None:
    operator.off_duty_schedules.all().delete()
    OffDutySchedule.objects.bulk_create(OffDutySchedule(operator=operator, **s) for s in schedules)


@document("operators", OperatorSerializer, "Operators")
class OperatorViewSet(ConfigViewSet):
    serializer_class = OperatorSerializer

    def get_queryset(self) -> QuerySet[Operator]:
        return Operator.objects.prefetch_related("off_duty_schedules", "groups").order_by("full_name", "id")
