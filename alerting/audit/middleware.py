"""Web requests act as their user (the admin) or API key (the API)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from alerting.audit.context import acting

CHANNELS = (
    ("/admin/", "admin"),
    ("/api/", "api"),
    ("/ack/", "acknowledge link"),
    ("/hooks/twilio/", "phone"),
)


def actor_of(request: HttpRequest) -> str:
    # DRF puts the API key's user on the Django request too, once the view authenticated it.
    user = getattr(request, "user", None)
    api_key = getattr(user, "api_key", None)
    if api_key is not None:
        return f"API key {api_key.name}"
    if user is not None and user.is_authenticated:
        return user.get_username()
    return "anonymous"


def channel_of(path: str) -> str:
    return next((channel for prefix, channel in CHANNELS if path.startswith(prefix)), "web")


class AuditActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = getattr(request, "request_id", "")
        with acting(lambda: actor_of(request), channel_of(request.path_info), request_id):
            return self.get_response(request)
