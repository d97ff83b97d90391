"""What the API's list endpoints share: pagination, query parameters
(times, choices) and the documented error answers."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiResponse
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from alerting.api.serializers import Errors


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


def err(description: str) -> OpenApiResponse:
    return OpenApiResponse(Errors, description=description)


COMMON = {
    401: err("No API key, an unknown one, or a revoked one."),
    403: err("The key's scope does not allow this."),
    429: err("The key exceeded its rate limit; see Retry-After."),
}
READ_ERRORS = {**COMMON, 400: err("A filter has a bad value."), 404: err("No such page.")}


def parse_aware(value: str) -> dt.datetime:
    """An ISO 8601 date and time with a time zone, in UTC; a ``ValidationError``
    with the reason otherwise."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValidationError(
            gettext("An ISO 8601 date and time with a time zone, e.g. 2026-01-05T09:00:00Z.")
        )
    try:
        # In UTC: PostgreSQL refuses offsets beyond ±15:59, which Python accepts.
        return moment.astimezone(dt.UTC)
    except OverflowError:
        raise ValidationError(gettext("The date and time is out of range.")) from None


def aware(name: str, value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return parse_aware(value)
    except ValidationError as exc:
        raise ValidationError({name: exc.detail}) from None


def choice(request: Request, name: str, allowed: list[str]) -> str | None:
    value = request.query_params.get(name)
    if value and value not in allowed:
        raise ValidationError({name: [gettext("One of: %(values)s.") % {"values": ", ".join(allowed)}]})
    return value or None
