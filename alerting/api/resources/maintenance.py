from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext
from rest_framework import serializers

from alerting.api.resources.common import ConfigViewSet, document, refuse
from alerting.api.resources.monitors import MonitorRefField
from alerting.api.resources.schedules import check_window
from alerting.field_lists import MAINTENANCE, MAINTENANCE_RELATIONS
from alerting.models import MaintenancePeriod


class MaintenancePeriodSerializer(serializers.ModelSerializer):
    monitor = MonitorRefField(
        required=False, allow_null=True, help_text="A monitor id or key; give this or monitor_group."
    )

    class Meta:
        model = MaintenancePeriod
        fields = ("id", *MAINTENANCE_RELATIONS, *MAINTENANCE)
        read_only_fields = ("id",)
        extra_kwargs = {"monitor_group": {"help_text": "A monitor group id; give this or monitor."}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        period = self.instance
        monitor = attrs["monitor"] if "monitor" in attrs else getattr(period, "monitor", None)
        group = attrs["monitor_group"] if "monitor_group" in attrs else getattr(period, "monitor_group", None)
        if (monitor is None) == (group is None):
            refuse(gettext("Give either a monitor or a monitor group (exactly one)."), "monitor")
        check_window(MaintenancePeriod, attrs, period)
        return attrs


@document("maintenance periods", MaintenancePeriodSerializer, "Maintenance periods")
class MaintenancePeriodViewSet(ConfigViewSet):
    serializer_class = MaintenancePeriodSerializer

    def get_queryset(self) -> QuerySet[MaintenancePeriod]:
        return MaintenancePeriod.objects.select_related("monitor", "monitor_group").order_by("id")
