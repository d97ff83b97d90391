"""Refuse a NUL character in a request's path or query string, for every view.

``%00`` decodes to a character no PostgreSQL text value can hold, so a lookup
by such an id or a filter on such a value fails in the database (a 500) long
after the view has taken it for an ordinary string. No URL of this site has a
use for it; refusing it here, once, spares every view and filter from
checking. Under ``/api/`` the answer has the API's error shape.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from alerting.api.errors import DETAIL, is_api_path, json_error

NUL = "\x00"
MESSAGE = "Must not contain a NUL character (%00)."


def nul_errors(request: HttpRequest) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if NUL in request.path_info:
        errors[DETAIL] = ["The path holds a NUL character (%00): no id or key can."]
    for name, values in request.GET.lists():
        if NUL in name:
            errors.setdefault(DETAIL, []).append("A query parameter's name holds a NUL character (%00).")
        elif any(NUL in value for value in values):
            errors[name] = [MESSAGE]
    return errors


class RefuseNulCharacters:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The raw query string is checked first: the common request has none.
        query = request.META.get("QUERY_STRING", "")
        if NUL in request.path_info or "%00" in query or NUL in query:
            errors = nul_errors(request)
            if errors:
                if is_api_path(request.path_info):
                    return json_error(errors, 400)
                return HttpResponseBadRequest("The request holds a NUL character (%00).")
        return self.get_response(request)
