from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from alerting.api.resources.common import document
from alerting.api.resources.groups import GroupSerializer, GroupViewSet
from alerting.api.resources.monitors import MonitorRefField
from alerting.models import Monitor, MonitorGroup


class MonitorGroupSerializer(GroupSerializer):
    member_field = "monitors"
    automatic_flag = "is_all_monitors"
    member_model = Monitor
    automatic_message = gettext_lazy(
        "All monitors holds every monitor automatically; its members cannot be edited."
    )

    monitors = MonitorRefField(
        many=True,
        required=False,
        help_text="Monitor ids or keys (answered as ids). All monitors always holds every monitor.",
    )

    class Meta:
        model = MonitorGroup
        fields = ("id", "name", "is_all_monitors", "is_system", "monitors", "created_at")
        read_only_fields = ("id", "is_all_monitors", "created_at")


@document("monitor groups", MonitorGroupSerializer, "Monitor groups")
class MonitorGroupViewSet(GroupViewSet):
    serializer_class = MonitorGroupSerializer

    def get_queryset(self) -> QuerySet[MonitorGroup]:
        return MonitorGroup.objects.prefetch_related("monitors")
