"""Request bodies sent with ``Transfer-Encoding: chunked``, read like any other.

A client that streams its body (``curl -T -``, many HTTP libraries given a
generator) sends no ``Content-Length``. The server (gunicorn) decodes the
chunks and says so with ``wsgi.input_terminated``, but Django reads exactly
``CONTENT_LENGTH`` bytes, which it takes as 0, so the body would look empty:
an ingest request answered "monitor is required". This WSGI wrapper reads such
a body (at most ``API_MAX_BODY_BYTES``; over that the answer is 413, as for a
declared length) and hands it to Django with its length.

Only servers that de-chunk set ``wsgi.input_terminated``; without it the
input holds the raw chunk framing, so a chunked request is answered 411
instead of being misread.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings

READ_SIZE = 64 * 1024

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _is_chunked(environ: dict[str, Any]) -> bool:
    return "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower() and not environ.get(
        "CONTENT_LENGTH"
    )


def read_bounded(stream: Any, limit: int) -> bytes | None:
    """The whole stream, or None once it is longer than ``limit``."""
    parts: list[bytes] = []
    size = 0
    while True:
        part = stream.read(min(READ_SIZE, limit + 1 - size))
        if not part:
            return b"".join(parts)
        parts.append(part)
        size += len(part)
        if size > limit:
            return None


def _refuse(environ: dict[str, Any], start_response: StartResponse, status: str, message: str) -> list[bytes]:
    if environ.get("PATH_INFO", "").startswith("/api/"):
        body = json.dumps({"errors": {"detail": [message]}}, separators=(",", ":")).encode()
        content_type = "application/json"
    else:
        body = message.encode()
        content_type = "text/plain; charset=utf-8"
    start_response(
        status,
        [("Content-Type", content_type), ("Content-Length", str(len(body))), ("Connection", "close")],
    )
    return [body]


class ReadChunkedBodies:
    def __init__(self, application: WSGIApp) -> None:
        self.application = application

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if _is_chunked(environ):
            if not environ.get("wsgi.input_terminated"):
                return _refuse(
                    environ, start_response, "411 Length Required", "Send the body with a Content-Length."
                )
            limit = settings.API_MAX_BODY_BYTES
            body = read_bounded(environ["wsgi.input"], limit)
            if body is None:
                return _refuse(
                    environ,
                    start_response,
                    "413 Request Entity Too Large",
                    f"The request body is over the {limit}-byte limit.",
                )
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.application(environ, start_response)
