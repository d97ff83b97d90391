"""``POST /api/v1/inbound/<format>``: other tools' alert payloads (ingest scope).

Each payload is converted into check results and goes through the very path
of ``POST /api/v1/alerts`` (``ingest.submit``): the same validation, engine,
answer shape and idempotency. Every payload that reaches the view is kept
(the last few per format) with its answer, for the admin's *Inbound sources*.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerting.api import ingest
from alerting.api.auth import IngestScope
from alerting.api.errors import as_error_lists
from alerting.api.listing import COMMON, err
from alerting.api.serializers import BatchAccepted, CheckResultAccepted
from alerting.inbound.formats import FORMATS, Format
from alerting.inbound.record import record
from alerting.inbound.validation import key_template, validate
from alerting.models import ApiKey

NOT_JSON = "(the body could not be read as JSON: see the answer)"


class InboundView(APIView):
    permission_classes = [IngestScope]
    format_slug = ""

    def post(self, request: Request) -> Response:
        source = FORMATS[self.format_slug]
        api_key = request.auth if isinstance(request.auth, ApiKey) else None
        try:
            data = request.data
        except APIException as exc:
            record(
                source.slug,
                request.headers,
                api_key,
                NOT_JSON,
                exc.status_code,
                {"errors": as_error_lists(exc.detail)},
            )
            raise
        response = self.answer(request, source, data)
        record(source.slug, request.headers, api_key, data, response.status_code, response.data)
        return response

    def answer(self, request: Request, source: Format, data: Any) -> Response:
        converted = source.convert(data, key_template(source.slug))
        if converted.skipped:
            # Answered like an ignored result, so a tool's test stays green.
            return Response(
                {
                    "id": None,
                    "monitor": converted.skipped_monitor,
                    "incident": None,
                    "alerts": [],
                    "ignored": converted.skipped,
                },
                status=status.HTTP_202_ACCEPTED,
            )
        return ingest.submit(request, validate=lambda _data, api_key: validate(converted, api_key))


def view_for(source: Format) -> Any:
    name = f"Inbound{source.slug.title().replace('-', '')}View"
    view: type[InboundView] = type(name, (InboundView,), {"format_slug": source.slug})
    extend_schema(
        summary=f"Receive {source.title} alerts",
        description=(
            f"{source.title}'s own payload, each alert a check result as `POST /api/v1/alerts` takes it. "
            "See the README's *Receiving alerts from other tools* for the mapping."
        ),
        request=OpenApiTypes.OBJECT,
        responses={
            202: CheckResultAccepted if source.single else BatchAccepted,
            400: err("Invalid: errors by the payload's field, or for an alert list by the alert's index."),
            413: err("The body is over API_MAX_BODY_BYTES."),
            415: err("The body is not JSON (Content-Type must be application/json)."),
            **COMMON,
        },
    )(view)
    return view.as_view()
