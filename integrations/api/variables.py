"""``GET /api/v1/variables``: the system variables, ``@CustomField`` and the
functions a template can use, from the catalogue."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerting.api.auth import ReadScope
from integrations import catalogue


class CatalogueItemSerializer(serializers.Serializer):
    name = serializers.CharField()
    token = serializers.CharField(help_text="What to write in a template.")
    group = serializers.CharField()
    key = serializers.CharField(help_text="The camelCase key within the group.")
    meaning = serializers.CharField()
    example = serializers.CharField()
    time_form = serializers.CharField(
        help_text="local, local formatted, UTC or UTC formatted; empty if no time."
    )
    kind = serializers.ChoiceField(choices=["variable", "extension", "custom_field", "automatic", "function"])


class VariableListSerializer(serializers.Serializer):
    variables = CatalogueItemSerializer(many=True)


class VariableListView(APIView):
    permission_classes = [ReadScope]

    @extend_schema(responses=VariableListSerializer, summary="The template variables and functions")
    def get(self, request: Request) -> Response:
        return Response({"variables": catalogue.as_api_list()})
