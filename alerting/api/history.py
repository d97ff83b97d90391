"""The incident history (read scope)."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from alerting.api.auth import ReadScope
from alerting.api.listing import COMMON, READ_ERRORS, Pagination, choice, err
from alerting.api.serializers import IncidentDetailSerializer, IncidentSerializer
from alerting.engine import clock
from alerting.models import Incident, IncidentStatus
from alerting.models.incidents import acknowledged_q

UNRESOLVED = "unresolved"
STATUS_FILTERS = [*IncidentStatus.values, UNRESOLVED]


class IncidentList(generics.ListAPIView):
    serializer_class = IncidentSerializer
    permission_classes = [ReadScope]
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[Incident]:
        qs = Incident.objects.select_related("monitor").order_by("-opened_at", "-pk")
        state = choice(self.request, "status", STATUS_FILTERS)
        now = clock.now()
        if state == IncidentStatus.RESOLVED:
            qs = qs.filter(resolved_at__isnull=False)
        elif state == IncidentStatus.ACKNOWLEDGED:
            qs = qs.filter(acknowledged_q(now), resolved_at__isnull=True)
        elif state == IncidentStatus.OPEN:
            qs = qs.filter(resolved_at__isnull=True).exclude(acknowledged_q(now))
        elif state == UNRESOLVED:
            qs = qs.filter(resolved_at__isnull=True)
        if monitor := self.request.query_params.get("monitor"):
            qs = qs.filter(monitor__key=monitor)
        return qs

    @extend_schema(
        summary="Incidents",
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=STATUS_FILTERS,
                description="unresolved: open or acknowledged.",
            ),
            OpenApiParameter("monitor", str, description="A monitor key."),
            OpenApiParameter("page_size", int),
        ],
        responses={200: IncidentSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


class IncidentDetail(generics.RetrieveAPIView):
    serializer_class = IncidentDetailSerializer
    permission_classes = [ReadScope]
    lookup_field = "key"
    queryset = Incident.objects.select_related("monitor")

    @extend_schema(
        summary="One incident with its alerts and their messages",
        responses={200: IncidentDetailSerializer, 404: err("No incident has this key."), **COMMON},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)
