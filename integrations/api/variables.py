"""``GET /api/v1/variables``: the system variables, ``@CustomField``, the
functions and vault references a template can use (from the catalogue), the
authentication types of a step, and with ``?integration=<id>`` that
integration's own variables and user-defined functions. Vault items (names
and references, never values) are listed for admin keys only."""

from __future__ import annotations

import uuid

from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerting.api.auth import ReadScope, key_allows
from alerting.models import ApiKey
from integrations import catalogue
from integrations.models import Integration, VaultItem

KINDS = ["variable", "extension", "custom_field", "automatic", "function", "user_function", "vault"]


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
    kind = serializers.ChoiceField(choices=KINDS)


class AuthTypeSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="The step's auth_type.")
    name = serializers.CharField()
    uses = serializers.ListField(child=serializers.CharField(), help_text="The step fields it uses.")
    meaning = serializers.CharField()


class OwnItemSerializer(serializers.Serializer):
    name = serializers.CharField()
    token = serializers.CharField()
    kind = serializers.ChoiceField(choices=["variable", "mapping", "regex", "hash"])
    meaning = serializers.CharField()


class VaultEntrySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    references = serializers.DictField(child=serializers.CharField())


class VariableListSerializer(serializers.Serializer):
    variables = CatalogueItemSerializer(many=True)
    auth_types = AuthTypeSerializer(many=True)
    integration = OwnItemSerializer(
        many=True, required=False, help_text="With ?integration=: its variables and user-defined functions."
    )
    vault_items = VaultEntrySerializer(many=True, required=False, help_text="Admin keys only.")


class VariableListView(APIView):
    permission_classes = [ReadScope]

    @extend_schema(
        responses=VariableListSerializer,
        summary="The template variables and functions",
        parameters=[
            OpenApiParameter(
                "integration", str, description="An integration's id: add its own variables and functions."
            )
        ],
    )
    def get(self, request: Request) -> Response:
        data: dict[str, object] = {
            "variables": catalogue.as_api_list(),
            "auth_types": list(catalogue.auth_types()),
        }
        raw = request.query_params.get("integration")
        if raw is not None:
            data["integration"] = own_items(raw)
        if isinstance(request.auth, ApiKey) and key_allows(request.auth, "admin"):
            data["vault_items"] = [
                {"id": str(item.pk), "name": item.name, "references": references(str(item.pk))}
                for item in VaultItem.objects.only("id", "name")
            ]
        return Response(data)


def references(item_id: str) -> dict[str, str]:
    return {e["field"]: "{{@VaultItem." + item_id + "." + e["field"] + "}}" for e in catalogue.vault_fields()}


def own_items(raw: str) -> list[dict[str, str]]:
    try:
        integration = Integration.objects.get(pk=uuid.UUID(raw))
    except (ValueError, Integration.DoesNotExist):
        raise ValidationError({"integration": [gettext("No integration with this id.")]}) from None
    items = [
        {
            "name": v.name,
            "token": "{{" + v.name + "}}",
            "kind": "variable",
            "meaning": v.description or v.get_mode_display(),
        }
        for v in integration.variables.all()
    ]
    items += [
        {
            "name": f.name,
            "token": "{{" + f.name + "({{@alert.description}})}}",
            "kind": f.kind,
            "meaning": f.description or f.get_kind_display() + " function",
        }
        for f in integration.functions.all()
    ]
    return items
