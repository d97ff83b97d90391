"""The OpenAPI schema and its interactive docs, served without a key.

Swagger UI comes from drf-spectacular-sidecar's static files, so the docs work
on a machine with no internet access.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "alerting.api.auth.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key: 'Authorization: Bearer <key>' ('Token <key>' works too). "
            "Create one with `python manage.py create_api_key NAME --scope ingest|read|admin`.",
        }


class SchemaView(SpectacularAPIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []


class DocsView(SpectacularSwaggerView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []
