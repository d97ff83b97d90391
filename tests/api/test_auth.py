from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from alerting.api.auth import AdminScope, IngestScope, ReadScope, scope_permission
from alerting.models import ApiKey

factory = APIRequestFactory()


def make_view(permission: type) -> object:
    class Probe(APIView):
        permission_classes = [permission]

        def get(self, request):
            return Response({"key": request.auth.name, "user": str(request.user)})

        def post(self, request):
            return Response({"echo": request.data})

    return Probe.as_view()


def call(view, header: str | None = None, method: str = "get", **kwargs):
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    request = getattr(factory, method)("/probe", **kwargs, **extra)
    response = view(request)
    response.render()
    return response


@pytest.fixture
def keys(db):
    return {scope: ApiKey.generate(f"{scope} key", scope) for scope in ("ingest", "read", "admin")}


def test_bearer_and_token_schemes(keys):
    _, raw = keys["ingest"]
    view = make_view(IngestScope)
    for header in (f"Bearer {raw}", f"Token {raw}", f"bearer {raw}"):
        response = call(view, header)
        assert response.status_code == 200, header
        assert response.data["key"] == "ingest key"


@pytest.mark.parametrize(
    "header",
    [None, "", "Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", "Bearer as_wrong-key", "Token " + "x" * 500],
)
def test_missing_or_wrong_key_is_401_with_json_body(keys, header):
    response = call(make_view(IngestScope), header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert list(response.data) == ["errors"]
    assert response.data["errors"]["detail"]


def test_revoked_key_is_refused(keys):
    key, raw = keys["admin"]
    key.revoke()
    response = call(make_view(IngestScope), f"Bearer {raw}")
    assert response.status_code == 401
    assert "revoked" in response.data["errors"]["detail"][0]


def test_key_hash_only_is_stored(keys):
    key, raw = keys["read"]
    key.refresh_from_db()
    assert raw not in (key.key_hash, key.prefix, key.name)
    assert raw.startswith(key.prefix)


@pytest.mark.parametrize(
    ("scope", "allowed"),
    [
        ("ingest", {IngestScope}),
        ("read", {IngestScope, ReadScope}),
        ("admin", {IngestScope, ReadScope, AdminScope}),
    ],
)
def test_scope_ladder(keys, scope, allowed):
    _, raw = keys[scope]
    for permission in (IngestScope, ReadScope, AdminScope):
        response = call(make_view(permission), f"Bearer {raw}")
        expected = 200 if permission in allowed else 403
        assert response.status_code == expected, (scope, permission)
        if expected == 403:
            assert scope in response.data["errors"]["detail"][0]


def test_has_scope_factory():
    assert scope_permission("ingest") is IngestScope
    assert scope_permission("read") is ReadScope
    assert scope_permission("admin") is AdminScope
    with pytest.raises(ValueError):
        scope_permission("root")


def test_last_used_is_written_at_most_once_a_minute(keys):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    key, raw = keys["ingest"]
    view = make_view(IngestScope)
    call(view, f"Bearer {raw}")
    key.refresh_from_db()
    first = key.last_used_at
    assert first is not None
    # A second request within the minute: the key lookup only, no UPDATE.
    with CaptureQueriesContext(connection) as queries:
        call(view, f"Bearer {raw}")
    key_queries = [q["sql"] for q in queries.captured_queries if "alerting_apikey" in q["sql"]]
    assert len(key_queries) == 1
    assert key_queries[0].startswith("SELECT")
    key.refresh_from_db()
    assert key.last_used_at == first
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now() - dt.timedelta(minutes=2))
    call(view, f"Bearer {raw}")
    key.refresh_from_db()
    assert key.last_used_at > first


@override_settings(API_RATE_LIMIT_PER_MINUTE=3)
def test_rate_limit_per_key_answers_429_with_retry_after(keys):
    view = make_view(IngestScope)
    _, ingest_raw = keys["ingest"]
    _, read_raw = keys["read"]
    codes = [call(view, f"Bearer {ingest_raw}").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = call(view, f"Bearer {ingest_raw}")
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert limited.data["errors"]["detail"]
    # Another key has its own budget.
    assert call(view, f"Bearer {read_raw}").status_code == 200


def test_key_own_rate_limit_overrides_setting(keys):
    key, raw = keys["admin"]
    key.rate_limit_per_minute = 1
    key.save()
    view = make_view(IngestScope)
    assert call(view, f"Bearer {raw}").status_code == 200
    assert call(view, f"Bearer {raw}").status_code == 429
