"""The message log (read scope) and retrying a message (admin scope)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerting.api.auth import AdminScope, ReadScope
from alerting.api.listing import COMMON, READ_ERRORS, Pagination, aware, choice, err
from integrations.delivery.replay import NotReplayable, retry_message
from integrations.models import Integration, Message, MessageAttempt, MessageStatus


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = MessageAttempt
        fields = [
            "number",
            "started_at",
            "duration_ms",
            "outcome",
            "request",
            "response_status",
            "response_headers",
            "response_body",
            "error",
        ]


class MessageSerializer(serializers.ModelSerializer):
    integration = serializers.CharField(source="integration.name", read_only=True)
    integration_id = serializers.UUIDField(read_only=True)
    alert = serializers.UUIDField(source="alert.guid", read_only=True, allow_null=True)
    alert_type = serializers.CharField(source="alert.alert_type", read_only=True, allow_null=True)
    attempts = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "status",
            "integration",
            "integration_id",
            "alert",
            "alert_type",
            "recipient",
            "attempt_count",
            "created_at",
            "next_attempt_at",
            "delivered_at",
            "error",
            "depends_on",
            "attempts",
        ]


MESSAGE_FILTERS = [
    OpenApiParameter("status", str, enum=list(MessageStatus.values)),
    OpenApiParameter("integration", str, description="An integration's id or exact name."),
    OpenApiParameter("alert", str, description="An alert's id (guid)."),
    OpenApiParameter("since", str, description="Created at or after (ISO 8601 with a time zone)."),
]


@extend_schema(
    tags=["messages"], parameters=MESSAGE_FILTERS, responses={200: MessageSerializer, **READ_ERRORS}
)
class MessageListView(generics.ListAPIView):
    """The message log: each message owed, with every attempt (secrets redacted)."""

    serializer_class = MessageSerializer
    pagination_class = Pagination
    permission_classes = [ReadScope]

    def get_queryset(self) -> QuerySet[Message]:
        qs = Message.objects.select_related("integration", "alert").prefetch_related(
            Prefetch("attempts", queryset=MessageAttempt.objects.order_by("number"))
        )
        params = self.request.query_params
        status = choice(self.request, "status", list(MessageStatus.values))
        if status:
            qs = qs.filter(status=status)
        integration = params.get("integration")
        if integration:
            qs = qs.filter(integration__in=_integrations(integration))
        alert = params.get("alert")
        if alert:
            try:
                serializers.UUIDField().to_internal_value(alert)
            except serializers.ValidationError:
                raise ValidationError({"alert": [gettext("An alert id (a UUID).")]}) from None
            qs = qs.filter(alert__guid=alert)
        since = aware("since", params.get("since"))
        if since:
            qs = qs.filter(created_at__gte=since)
        return qs.order_by("-created_at", "-id")


def _integrations(value: str) -> QuerySet[Integration]:
    try:
        uuid = serializers.UUIDField().to_internal_value(value)
    except serializers.ValidationError:
        return Integration.objects.filter(name=value)
    return Integration.objects.filter(pk=uuid)


@extend_schema(
    tags=["messages"],
    request=None,
    responses={
        202: MessageSerializer,
        **COMMON,
        404: err("No such message."),
        409: err("A worker is sending the message right now."),
    },
)
class MessageRetryView(APIView):
    """Retry a message: due now, with a fresh schedule of attempts and maximum age."""

    permission_classes = [AdminScope]

    def post(self, request: Request, pk: int) -> Response:
        message = get_object_or_404(Message.objects.select_related("integration", "alert"), pk=pk)
        try:
            retry_message(message)
        except NotReplayable as exc:
            return Response({"errors": {"detail": [str(exc)]}}, status=409)
        return Response(MessageSerializer(message).data, status=202)
