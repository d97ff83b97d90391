"""``X-Request-ID`` on every answer, and the request's fields on every log line.

The id is taken from the request when a proxy or client sent a usable one
(1–128 characters of letters, digits and ``-_.:``; anything else is replaced,
so a header cannot inject text into the logs), otherwise made here. With
``LOG_FORMAT=json`` each request ends with one log line
(``alertsite.request``): method, path, status and duration; in plain text
gunicorn's access log says the same.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from alertsite.observability import logcontext

HEADER = "X-Request-ID"
META_KEY = "HTTP_X_REQUEST_ID"
VALID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

logger = logging.getLogger("alertsite.request")


def request_id_from(request: HttpRequest) -> str:
    given = request.META.get(META_KEY, "")
    return given if VALID.fullmatch(given) else uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.log_requests = settings.LOG_FORMAT == "json"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        request_id = request_id_from(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        with logcontext.bound(request_id=request_id, method=request.method, path=request.path):
            response = self.get_response(request)
            response[HEADER] = request_id
            if not self.log_requests:
                return response
            duration_ms = round((time.monotonic() - started) * 1000, 1)
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={"status": response.status_code, "duration_ms": duration_ms},
            )
        return response
