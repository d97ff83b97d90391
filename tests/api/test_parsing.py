from __future__ import annotations

import pytest
from django.test import override_settings
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from alerting.api.auth import IngestScope
from alerting.api.parsers import UNSTORABLE
from alerting.models import ApiKey

factory = APIRequestFactory()


class Echo(APIView):
    permission_classes = [IngestScope]

    def post(self, request):
        return Response({"echo": request.data})


@pytest.fixture
def auth(db):
    _, raw = ApiKey.generate("parser", "ingest")
    return f"Bearer {raw}"


def post(auth: str, body: bytes, content_type: str = "application/json"):
    request = factory.generic("POST", "/echo", body, content_type=content_type, HTTP_AUTHORIZATION=auth)
    response = Echo.as_view()(request)
    response.render()
    return response


def test_valid_json_is_parsed(auth):
    response = post(auth, b'{"a": [1, 2.5, "x", null, true]}')
    assert response.status_code == 200
    assert response.data == {"echo": {"a": [1, 2.5, "x", None, True]}}


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b'{"a": 1, "a": 2}', "Duplicate key"),
        (b'{"a": NaN}', "NaN"),
        (b'{"a": Infinity}', "Infinity"),
        (b'{"a": -Infinity}', "Infinity"),
        (b'{"a": 1' + b"0" * 5000 + b"}", "too large"),
        (b'{"a": 1e999}', "too large"),
        (b"[" * 100 + b"]" * 100, "nested too deeply"),
        (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
        (b'{"a": "\xff"}', "UTF-8"),
        (b'{"a": ', "not valid JSON"),
        (b"   ", "empty"),
    ],
)
def test_hostile_json_is_400(auth, body, needle):
    response = post(auth, body)
    assert response.status_code == 400
    message = response.data["errors"]["detail"][0]
    assert needle in message


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (b'{"a": "nul \\u0000 inside"}', {"a": [UNSTORABLE]}),
        (b'{"nul \\u0000 key": 1}', {"detail": [UNSTORABLE]}),
        (b'"\\u0000"', {"detail": [UNSTORABLE]}),
        (b'["ok", "\\ud800"]', {"1": [UNSTORABLE]}),
        (
            b'{"name": "x\\u0000", "levels": [{"number": 1}, {"message": "\\u0000", "k": {"\\u0000": 1}}]}',
            {"name": [UNSTORABLE], "levels": {"1": {"message": [UNSTORABLE], "k": [UNSTORABLE]}}},
        ),
    ],
)
def test_unstorable_strings_are_field_errors(auth, body, errors):
    # PostgreSQL text cannot hold NUL, UTF-8 cannot encode a lone surrogate:
    # a 400 at the field, as for any other invalid value.
    response = post(auth, body)
    assert response.status_code == 400
    assert response.data == {"errors": errors}


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_non_json_content_type_is_415(auth, content_type):
    response = post(auth, b'{"a": 1}', content_type=content_type)
    assert response.status_code == 415
    assert response.data["errors"]["detail"]


@override_settings(API_MAX_BODY_BYTES=1024)
def test_body_over_limit_is_413(auth):
    body = b'{"a": "' + b"x" * 2000 + b'"}'
    response = post(auth, body)
    assert response.status_code == 413
    assert "1024" in response.data["errors"]["detail"][0]
    assert post(auth, b'{"a": "' + b"x" * 900 + b'"}').status_code == 200
