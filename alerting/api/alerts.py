"""``/api/v1/alerts``: GET lists the alert history (read scope), POST submits
check results (ingest scope; ``alerting.api.ingest`` does the work)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from alerting.api import ingest
from alerting.api.auth import IngestScope, ReadScope
from alerting.api.listing import COMMON, READ_ERRORS, Pagination, aware, choice, err
from alerting.api.serializers import AlertSerializer, BatchAccepted, CheckResultAccepted, CheckResultIn
from alerting.models import Alert, AlertType


class AlertsView(generics.ListAPIView):
    serializer_class = AlertSerializer
    pagination_class = Pagination

    def get_permissions(self) -> list:
        return [IngestScope()] if self.request.method == "POST" else [ReadScope()]

    def get_queryset(self) -> QuerySet[Alert]:
        qs = Alert.objects.select_related("incident__monitor").order_by("-timestamp", "-pk")
        alert_type = choice(self.request, "type", list(AlertType.values))
        if alert_type:
            qs = qs.filter(alert_type=alert_type)
        if monitor := self.request.query_params.get("monitor"):
            qs = qs.filter(incident__monitor__key=monitor)
        if since := aware("since", self.request.query_params.get("since")):
            qs = qs.filter(timestamp__gte=since)
        if until := aware("until", self.request.query_params.get("until")):
            qs = qs.filter(timestamp__lt=until)
        return qs

    @extend_schema(
        summary="Alert history",
        parameters=[
            OpenApiParameter("type", str, enum=list(AlertType.values)),
            OpenApiParameter("monitor", str, description="A monitor key."),
            OpenApiParameter("since", dt.datetime, description="Alerts at or after this time."),
            OpenApiParameter("until", dt.datetime, description="Alerts before this time."),
            OpenApiParameter("page_size", int),
        ],
        responses={200: AlertSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Submit check results",
        description=(
            "One check result, or a list of up to 1000 validated all or nothing. "
            "`Idempotency-Key` (or `idempotency_key` in an item) replays the first answer for 24 hours."
        ),
        request=PolymorphicProxySerializer(
            "CheckResultSubmission",
            serializers=[CheckResultIn, CheckResultIn(many=True, max_length=1000)],  # type: ignore[call-arg]
            resource_type_field_name=None,
            many=False,
        ),
        parameters=[
            OpenApiParameter(
                "Idempotency-Key", str, OpenApiParameter.HEADER, description="At most 150 characters."
            )
        ],
        responses={
            202: PolymorphicProxySerializer(
                "CheckResultAnswer",
                serializers=[CheckResultAccepted, BatchAccepted],
                resource_type_field_name=None,
                many=False,
            ),
            400: err("Invalid: errors by field, or for a list by the item's index."),
            413: err("The body is over API_MAX_BODY_BYTES."),
            415: err("The body is not JSON (Content-Type must be application/json)."),
            **COMMON,
        },
    )
    def post(self, request: Request) -> Response:
        return ingest.submit(request)
