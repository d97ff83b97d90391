"""X-Request-ID on every API answer, and the JSON log line's fields and redaction."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client
from django.urls import path

from alerting.models import ApiKey
from alertsite.log_redaction import RedactSecretsFilter
from alertsite.observability import logcontext
from alertsite.observability.jsonlog import JsonFormatter
from alertsite.observability.request_ids import HEADER


def explode(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("boom")


urlpatterns = [path("api/v1/explode", explode)]


@pytest.fixture
def raw_key(db) -> str:
    return ApiKey.generate("ids", "read")[1]


@pytest.mark.parametrize(
    ("method", "url", "body", "status"),
    [
        ("post", "/api/v1/alerts", {"monitor": "m", "status": "ok"}, 202),
        ("post", "/api/v1/alerts", {"monitor": "m"}, 400),
        ("get", "/api/v1/incidents", None, 200),
        ("get", "/api/v1/audit", None, 403),
        ("get", "/api/v1/no-such-thing", None, 404),
        ("get", "/api/v1/incidents?status=%00", None, 400),
    ],
)
def test_every_api_answer_carries_the_given_request_id(raw_key, method, url, body, status) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
    answer = getattr(client, method)(url, HTTP_X_REQUEST_ID="trace-42.a:b_c", **kwargs)
    assert answer.status_code == status
    assert answer[HEADER] == "trace-42.a:b_c"


def test_without_a_key_and_on_a_server_error_too(db, settings) -> None:
    assert Client().get("/api/v1/incidents", HTTP_X_REQUEST_ID="abc")[HEADER] == "abc"
    settings.ROOT_URLCONF = __name__
    crashed = Client(raise_request_exception=False).get("/api/v1/explode", HTTP_X_REQUEST_ID="crash-1")
    assert crashed.status_code == 500 and crashed[HEADER] == "crash-1"


@pytest.mark.parametrize("given", [None, "", "x" * 129, "has space", 'quote"d', "new\u00e9", "a/b"])
def test_a_missing_or_unusable_id_is_replaced(db, given) -> None:
    extra = {"HTTP_X_REQUEST_ID": given} if given is not None else {}
    answer = Client().get("/api/v1/incidents", **extra)
    made = answer[HEADER]
    assert made != given and len(made) == 32 and int(made, 16) >= 0
    assert Client().get("/api/v1/incidents")[HEADER] != made  # a new one each time


def test_the_longest_accepted_id_is_kept(db) -> None:
    given = "a" * 128
    assert Client().get("/api/v1/incidents", HTTP_X_REQUEST_ID=given)[HEADER] == given


def json_line(record: logging.LogRecord) -> dict:
    RedactSecretsFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def test_a_json_line_has_the_context_fields_and_masks_secrets() -> None:
    record = logging.LogRecord(
        "alertsite.test",
        logging.WARNING,
        __file__,
        1,
        "calling %s",
        ("https://hooks.example/T0/B1/XyZsecretTOKEN123abc",),
        None,
    )
    with logcontext.bound(request_id="r-1", method="GET", path="/ping/AbCdEfGhIjKlMnOpQrStUvWx/fail"):
        line = json_line(record)
    assert line["level"] == "WARNING" and line["logger"] == "alertsite.test"
    assert line["request_id"] == "r-1" and line["method"] == "GET"
    assert line["path"] == "/ping/********/fail"
    assert "XyZsecretTOKEN123abc" not in line["message"] and "********" in line["message"]
    assert line["time"].endswith("+00:00") and isinstance(line["pid"], int)


def test_a_traceback_is_one_field_and_redacted() -> None:
    try:
        raise ValueError("Bearer as_0123456789abcdefghij failed")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    line = json_line(record)
    assert "ValueError" in line["exception"] and "as_0123456789abcdefghij" not in json.dumps(line)
