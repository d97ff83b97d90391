"""Ping URLs: ``/ping/<token>``, in the shapes of Healthchecks' pinging API.

A cron job or script reports with a plain HTTP request, no API key: the
secret token in the path names the monitor (``alerting.models.pings``).

- ``/ping/<token>``: OK
- ``/ping/<token>/fail``: error; the request body is the description
- ``/ping/<token>/<0-255>``: an exit status, 0 is OK, anything else an error
- ``/ping/<token>/start``: a run started; the result that ends it says how long it took

HEAD, GET and POST are all accepted, and the first ``BODY_LIMIT`` bytes of a
body are kept (in the description). The answer is ``200 OK`` as plain text,
``404 not found`` for a token nobody has, ``429 rate limited`` beyond
``PING_RATE_LIMIT_PER_MINUTE`` requests a minute to one token. Results go
through the engine's ordinary submission path, exactly as the API's do.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from alerting.api.ratelimit import hit
from alerting.engine import Submission, clock, process_submission
from alerting.models import ApiKey, CheckStatus, PingToken
from integrations.tasks import deliver_after_commit

BODY_LIMIT = 10 * 1024
METHODS = ("GET", "POST", "HEAD")
FAILURE = "Failure signalled by ping"
EXIT_STATUS = re.compile(r"[0-9]+")


def _text(body: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")
    # As Healthchecks answers: a page's script may ping too, and the client
    # learns how much of its body was kept.
    response["Access-Control-Allow-Origin"] = "*"
    response["Ping-Body-Limit"] = str(BODY_LIMIT)
    return response


def _rate_limit(token: PingToken) -> tuple[bool, float]:
    """The API's shared per-key counter (``alerting.api.ratelimit.hit``), with
    an unsaved key standing for the token: its id names the counter, apart
    from every real key's (those are numbers), and it carries the limit."""
    stand_in = ApiKey(
        pk=f"ping-{token.pk}", prefix="", rate_limit_per_minute=settings.PING_RATE_LIMIT_PER_MINUTE
    )
    return hit(stand_in)


def _body(request: HttpRequest) -> str:
    # Read no more than is kept: a large body is not loaded into memory.
    text = request.read(BODY_LIMIT).decode("utf-8", errors="replace")
    # No PostgreSQL text value can hold a NUL character.
    return text.replace("\x00", "").strip()


def _end_run(token: PingToken, now: dt.datetime) -> dt.timedelta | None:
    """How long the run this result ends took, if /start began one. A
    compare-and-swap on ``started_at``: of two results at once, one ends it."""
    started = token.started_at
    if started is None:
        return None
    if not PingToken.objects.filter(pk=token.pk, started_at=started).update(started_at=None):
        return None
    return max(now - started, dt.timedelta(0))


@csrf_exempt
def ping(request: HttpRequest, token: str, action: str = "") -> HttpResponse:
    if request.method not in METHODS:
        return HttpResponseNotAllowed(METHODS)
    exit_status: int | None = None
    if EXIT_STATUS.fullmatch(action):
        exit_status = int(action)
        if exit_status > 255:
            return _text("invalid url format", 400)
    elif action not in ("", "fail", "start"):
        return _text("not found", 404)
    found = PingToken.find(token)
    if found is None:
        return _text("not found", 404)
    allowed, wait = _rate_limit(found)
    if not allowed:
        response = _text("rate limited", 429)
        response["Retry-After"] = str(max(1, math.ceil(wait)))
        return response

    now = clock.now()
    if action == "start":
        PingToken.objects.filter(pk=found.pk).update(started_at=now)
        return _text("OK")
    body = _body(request)
    failed = action == "fail" or bool(exit_status)
    with transaction.atomic():
        took = _end_run(found, now)
        parts = [f"exit status {exit_status}"] if exit_status else []
        if body:
            parts.append(body)
        elif failed and not parts:
            parts.append(FAILURE)
        if took is not None:
            parts.append(f"Run took {took.total_seconds():.1f} s")
        outcome = process_submission(
            Submission(
                monitor=found.monitor.key,
                status=CheckStatus.ERROR if failed else CheckStatus.OK,
                timestamp=now,
                description="\n".join(parts),
            ),
            now,
        )
        deliver_after_commit(outcome.message_ids)
    return _text("OK")
