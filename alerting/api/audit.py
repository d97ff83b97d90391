"""``GET /api/v1/audit``: the audit log (admin scope)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from alerting.api.auth import AdminScope
from alerting.api.listing import READ_ERRORS, Pagination, aware, choice
from alerting.models import AuditAction, AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor",
            "channel",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "summary",
            "request_id",
        ]


# Exact-match filters, each served by an index or a small scan of the newest entries.
TEXT_FILTERS = ("object_type", "object_id", "actor", "channel", "request_id")


class AuditList(generics.ListAPIView):
    serializer_class = AuditEntrySerializer
    permission_classes = [AdminScope]
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[AuditEntry]:
        qs = AuditEntry.objects.order_by("-at", "-pk")
        for name in TEXT_FILTERS:
            if value := self.request.query_params.get(name):
                qs = qs.filter(**{name: value})
        if action := choice(self.request, "action", list(AuditAction.values)):
            qs = qs.filter(action=action)
        if since := aware("since", self.request.query_params.get("since")):
            qs = qs.filter(at__gte=since)
        if until := aware("until", self.request.query_params.get("until")):
            qs = qs.filter(at__lt=until)
        return qs

    @extend_schema(
        summary="Audit log",
        description="Every configuration change: who, when, through what, which object, and what changed "
        "(secret values masked). Newest first.",
        parameters=[
            OpenApiParameter("object_type", str, description="A model label, e.g. alerting.monitor."),
            OpenApiParameter("object_id", str, description="The object's id."),
            OpenApiParameter("actor", str, description="A user name, or 'API key <name>'."),
            OpenApiParameter("channel", str, description="admin, api, command apply_config, …"),
            OpenApiParameter("action", str, enum=list(AuditAction.values)),
            OpenApiParameter("request_id", str, description="The X-Request-ID of the request that made it."),
            OpenApiParameter("since", dt.datetime, description="Entries at or after this time."),
            OpenApiParameter("until", dt.datetime, description="Entries before this time."),
            OpenApiParameter("page_size", int),
        ],
        responses={200: AuditEntrySerializer(many=True), **READ_ERRORS},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)
