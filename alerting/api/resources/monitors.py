from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from alerting.api.resources.common import OBJECT_WRITE_ERRORS, ConfigViewSet, document
from alerting.field_lists import MONITOR
from alerting.models import Monitor, PingToken


def monitor_filter(value: str) -> Q:
    """A monitor is addressed by its id or by its key (a key may look like a UUID)."""
    try:
        return Q(pk=uuid.UUID(value)) | Q(key=value)
    except ValueError:
        return Q(key=value)


class MonitorRefField(serializers.PrimaryKeyRelatedField):
    """A reference to a monitor by id or key; answered as the id."""

    default_error_messages = {
        "does_not_exist": gettext_lazy('No monitor has the id or key "{pk_value}".'),
        "incorrect_type": gettext_lazy("Give a monitor id or key (a string)."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Monitor.objects.all())
        kwargs.setdefault("pk_field", serializers.UUIDField())
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Monitor:
        if not isinstance(data, str):
            self.fail("incorrect_type")
        queryset = self.get_queryset()
        assert queryset is not None  # given in __init__
        found = list(queryset.filter(monitor_filter(data))[:2])
        # An id match wins over a key that happens to spell another monitor's id.
        found.sort(key=lambda m: str(m.pk) != data.lower())
        if not found:
            self.fail("does_not_exist", pk_value=data)
        return found[0]


class MonitorSerializer(serializers.ModelSerializer):
    groups: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Monitor groups holding this monitor (edit on the group)."
    )
    ping_url = serializers.SerializerMethodField(
        help_text="The monitor's secret ping URL (GET or POST it to report OK; /fail, /start, "
        "/<exit status>). Anyone who may submit results may see it; rotate it with POST …/rotate-ping-url."
    )

    class Meta:
        model = Monitor
        fields = (
            "id",
            *MONITOR,
            "ping_url",
            "groups",
            "created_at",
            "last_check_at",
            "last_status",
        )
        read_only_fields = ("id", "created_at", "last_check_at", "last_status")

    def get_ping_url(self, monitor: Monitor) -> str:
        return PingToken.for_monitor(monitor).url


ID_OR_KEY = OpenApiParameter(
    "id_or_key",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The monitor's id, or its key.",
)


@extend_schema_view(
    **{
        action: extend_schema(parameters=[ID_OR_KEY])
        for action in ("retrieve", "update", "partial_update", "destroy")
    }
)
@document("monitors", MonitorSerializer, "Monitors")
class MonitorViewSet(ConfigViewSet):
    serializer_class = MonitorSerializer
    lookup_url_kwarg = "id_or_key"
    # Keys may hold slashes, dots and colons.
    lookup_value_regex = r".+?"

    def get_queryset(self) -> QuerySet[Monitor]:
        return Monitor.objects.select_related("ping_token").prefetch_related("groups").order_by("name", "key")

    def get_object(self) -> Monitor:
        value = self.kwargs[self.lookup_url_kwarg]
        found = sorted(
            self.get_queryset().filter(monitor_filter(value))[:2], key=lambda m: str(m.pk) != value
        )
        if not found:
            raise Http404
        self.check_object_permissions(self.request, found[0])
        return found[0]

    @extend_schema(
        tags=["Monitors"],
        summary="Rotate a monitor's ping URL",
        description="Gives the monitor a new secret ping URL; the old one stops working at once.",
        parameters=[ID_OR_KEY],
        request=None,
        responses={200: MonitorSerializer, **OBJECT_WRITE_ERRORS},
    )
    def rotate_ping_url(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        monitor = self.get_object()
        PingToken.rotate(monitor)
        return Response(self.get_serializer(monitor).data)
