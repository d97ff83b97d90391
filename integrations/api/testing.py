"""``POST /api/v1/integrations/{id}/test``: send a test alert filled with the
catalogue's example values and answer with the redacted exchange(s)."""

from __future__ import annotations

import dataclasses

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerting.api.auth import AdminScope
from alerting.api.errors import error_response
from integrations.models import OPERATOR_KINDS, Integration
from integrations.sending import ALERT_TYPES, send_test
from integrations.transports.base import TransportError
from integrations.validation import integration_problems


class SendTestSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ALERT_TYPES, default="Alert")
    level = serializers.IntegerField(min_value=1, max_value=10, default=1)
    recipient = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    level_variables = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    dry_run = serializers.BooleanField(default=False)


class ExchangeSerializer(serializers.Serializer):
    request = serializers.DictField(help_text="method, url, headers, body; secrets redacted")
    status = serializers.IntegerField(allow_null=True)
    headers = serializers.DictField(child=serializers.CharField())
    body = serializers.CharField(help_text="At most 64 KB of the response.")
    duration_ms = serializers.IntegerField()
    error = serializers.CharField()
    summary = serializers.CharField(
        help_text='A failed connection in one line, e.g. "connection refused by 127.0.0.1:8042".'
    )
    detail = serializers.CharField(help_text="A failed connection: the HTTP library's full error.")


class TestResultSerializer(serializers.Serializer):
    delivered = serializers.BooleanField()
    dry_run = serializers.BooleanField()
    exchanges = ExchangeSerializer(many=True)


class IntegrationTestView(APIView):
    permission_classes = [AdminScope]

    @extend_schema(
        request=SendTestSerializer,
        responses={
            200: TestResultSerializer,
            400: OpenApiResponse(description="Bad input, or the integration is misconfigured."),
            502: OpenApiResponse(description="The receiver refused; the exchanges are included."),
        },
        summary="Send a test alert with example values",
    )
    def post(self, request: Request, pk: str) -> Response:
        integration = get_object_or_404(Integration, pk=pk)
        params = SendTestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        problems = integration_problems(integration)
        if problems:
            return error_response({"integration": problems})
        if integration.kind in OPERATOR_KINDS and not data["recipient"]:
            return error_response(
                {"recipient": [gettext("This integration sends to people: give an address or number.")]}
            )
        try:
            exchanges = send_test(
                integration,
                data["type"],
                data["level"],
                recipient=data["recipient"],
                level_variables=data.get("level_variables") or {},
                dry_run=data["dry_run"],
            )
        except TransportError as exc:
            reason = (exc.exchanges[-1].summary if exc.exchanges else "") or str(exc)
            return Response(
                {
                    "errors": {
                        "detail": [
                            gettext("The receiver refused the test alert: %(reason)s") % {"reason": reason}
                        ]
                    },
                    "permanent": exc.permanent,
                    "exchanges": [dataclasses.asdict(e) for e in exc.exchanges],
                },
                status=status.HTTP_502_BAD_GATEWAY,
            )
        return Response(
            {
                "delivered": not data["dry_run"] and bool(exchanges),
                "dry_run": data["dry_run"],
                "exchanges": [dataclasses.asdict(e) for e in exchanges],
            }
        )
