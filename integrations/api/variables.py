"""``GET /api/v1/variables``: the system variables, ``@CustomField`` and the
functions a template can use, from the catalogue."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerting.api.auth import ReadScope
from integrations import catalogue


class VariableListView(APIView):
    permission_classes = [ReadScope]

    def get(self, request: Request) -> Response:
        return Response({"variables": catalogue.as_api_list()})
