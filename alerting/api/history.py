"""The alerts endpoint (submit and list) and the incident history (read scope)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from alerting.api import ingest
from alerting.api.auth import IngestScope, ReadScope
from alerting.api.serializers import (
    AlertSerializer,
    BatchAccepted,
    CheckResultAccepted,
    CheckResultIn,
    Errors,
    IncidentDetailSerializer,
    IncidentSerializer,
)
from alerting.engine import clock
from alerting.models import Alert, AlertType, Incident, IncidentStatus
from alerting.models.incidents import acknowledged_q

UNRESOLVED = "unresolved"
STATUS_FILTERS = [*IncidentStatus.values, UNRESOLVED]


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


def err(description: str) -> OpenApiResponse:
    return OpenApiResponse(Errors, description=description)


COMMON = {
    401: err("No API key, an unknown one, or a revoked one."),
    403: err("The key's scope does not allow this."),
    429: err("The key exceeded its rate limit; see Retry-After."),
}
READ_ERRORS = {**COMMON, 400: err("A filter has a bad value."), 404: err("No such page.")}


def parse_aware(value: str) -> dt.datetime:
    """An ISO 8601 date and time with a time zone, in UTC; a ``ValidationError``
    with the reason otherwise."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValidationError(
            gettext("An ISO 8601 date and time with a time zone, e.g. 2026-01-05T09:00:00Z.")
        )
    try:
        # In UTC: PostgreSQL refuses offsets beyond ±15:59, which Python accepts.
        return moment.astimezone(dt.UTC)
    except OverflowError:
        raise ValidationError(gettext("The date and time is out of range.")) from None


def aware(name: str, value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return parse_aware(value)
    except ValidationError as exc:
        raise ValidationError({name: exc.detail}) from None


def choice(request: Request, name: str, allowed: list[str]) -> str | None:
    value = request.query_params.get(name)
    if value and value not in allowed:
        raise ValidationError({name: [gettext("One of: %(values)s.") % {"values": ", ".join(allowed)}]})
    return value or None


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
