"""One error shape for the whole API: ``{"errors": {field: [messages]}}``.

Field errors keep their field names (for a batch, the item's index); errors
about the request as a whole (authentication, scope, rate limit, body size,
content type, malformed JSON) are listed under ``"detail"``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from alerting.api.parsers import PayloadTooLarge

logger = logging.getLogger(__name__)

DETAIL = "detail"


def as_error_lists(detail: Any) -> dict[str, Any]:
    """Turn DRF's error detail (a string, a list or a nested dict) into the
    ``{field: [messages]}`` form, keeping nested dicts (a batch item's fields)."""
    if isinstance(detail, dict):
        return {str(k): _messages(v) for k, v in detail.items()}
    return {DETAIL: _messages(detail)}


def _messages(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _messages(v) for k, v in value.items()}
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            return [_messages(v) for v in value]
        return [str(v) for v in value]
    return [str(value)]


def error_response(
    errors: dict[str, Any], code: int = status.HTTP_400_BAD_REQUEST, **headers: str
) -> Response:
    response = Response({"errors": errors}, status=code)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(str(exc))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {DETAIL: exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        # Not a client error: let Django log it and answer 500, so it gets fixed.
        return None
    response.data = {
        "errors": as_error_lists(response.data if isinstance(exc, exceptions.ValidationError) else exc.detail)
    }
    return response
