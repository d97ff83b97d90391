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
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from alerting.api.parsers import PayloadTooLarge

logger = logging.getLogger(__name__)

DETAIL = "detail"
API_PREFIX = "/api/"


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
        "errors": as_error_lists(
            response.data if isinstance(exc, exceptions.ValidationError) else getattr(exc, "detail", "")
        )
    }
    return response


# Django's error views (handler400/403/404/500 in the URLconf): answers under
# /api/ that no DRF view produced (an id the URL pattern does not match, an
# unknown path, a crash) keep the API's error shape; the rest of the site gets
# Django's pages.


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX)


def json_error(errors: dict[str, Any], code: int) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=code, json_dumps_params={"separators": (",", ":")})


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path):
        return json_error({DETAIL: [gettext("Bad request.")]}, 400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path):
        return json_error({DETAIL: [gettext("You do not have permission to perform this action.")]}, 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path):
        return json_error({DETAIL: [gettext("Not found: no endpoint or object at this path.")]}, 404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api_path(request.path):
        return json_error({DETAIL: [gettext("Internal server error; it has been logged.")]}, 500)
    return defaults.server_error(request)
