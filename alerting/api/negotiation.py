"""Content negotiation for an API that renders JSON only."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

# What monitoring tools send: nothing, or a value JSON certainly satisfies.
PLAIN_ACCEPT = {None, "", "*/*", "application/json"}


class JSONNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, with a shortcut for the usual request: one renderer,
    no ``?format=``, and an Accept header that takes JSON as it is. Parsing the
    header into media types and matching them cost an ingest request about as
    much as validating its body. Anything else goes the full way (406 included).

    A ``?format=`` naming no renderer of the view is ignored, as any unknown
    query parameter is, rather than answered with DRF's 404: the API
    documents no such parameter, and a 404 would say the resource is missing.
    The schema view's ``?format=json`` still picks its JSON renderer."""

    def filter_renderers(self, renderers: Iterable[BaseRenderer], format: str) -> list[BaseRenderer]:
        renderers = list(renderers)
        matching = [r for r in renderers if r.format == format]
        return matching or renderers

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str] | Any:
        meta = request.META
        renderers = list(renderers)
        if (
            len(renderers) == 1
            and format_suffix is None
            and not meta.get("QUERY_STRING")
            and meta.get("HTTP_ACCEPT") in PLAIN_ACCEPT
        ):
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)
