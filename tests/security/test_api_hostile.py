"""Hostile requests to the real endpoints: strict JSON, body limits, keys and scopes, rate limits."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings

from alerting.api import auth
from alerting.models import ApiKey, Operator
from integrations.models import Integration
from tests.security.conftest import ROOT

COLLECTIONS = [
    "/api/v1/alerts",
    "/api/v1/alert-definitions",
    "/api/v1/integrations",
    "/api/v1/maintenance-periods",
    "/api/v1/monitor-groups",
    "/api/v1/monitors",
    "/api/v1/operator-groups",
    "/api/v1/operators",
]
HOSTILE_BODIES = [
    b'{"name": "a", "name": "b"}',
    b'{"name": NaN}',
    b'{"name": Infinity}',
    b'{"timeout": 1' + b"0" * 5000 + b"}",
    b'{"timeout": 1e999}',
    b'{"a": ' * 50_000 + b"1" + b"}" * 50_000,
    b"[" * 200_000 + b"]" * 200_000,
    b'{"name": "\xff\xfe"}',
    b'{"name": ',
    b"",
    b"\x00\x01\x02",
    b'{"name": "\\ud800"}',
]


def client_with(scope: str) -> tuple[Client, ApiKey, str]:
    key, raw = ApiKey.generate(f"{scope} key", scope)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}"), key, raw


@pytest.fixture
def admin(db) -> Client:
    return client_with("admin")[0]


def object_urls() -> list[str]:
    operator = Operator.objects.create(full_name="Ada", email="ada@example.com")
    integration = Integration.objects.create(name="Hook", kind="webhook")
    return [
        f"/api/v1/operators/{operator.pk}",
        f"/api/v1/integrations/{integration.pk}",
        f"/api/v1/integrations/{integration.pk}/test",
    ]


def assert_error_shape(response, status: int) -> None:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"]


@pytest.mark.parametrize("body", HOSTILE_BODIES, ids=range(len(HOSTILE_BODIES)))
def test_hostile_json_is_a_400_on_every_endpoint(admin: Client, body: bytes) -> None:
    for url in COLLECTIONS:
        assert_error_shape(admin.post(url, body, content_type="application/json"), 400)
    for url in object_urls():
        if not body:
            continue  # an empty body is a valid update of nothing, and a test send with defaults
        if url.endswith("/test"):
            assert_error_shape(admin.post(url, body, content_type="application/json"), 400)
        else:
            assert_error_shape(admin.patch(url, body, content_type="application/json"), 400)


@override_settings(API_MAX_BODY_BYTES=4096)
def test_body_over_the_limit_is_a_413(admin: Client) -> None:
    big = b'{"name": "' + b"x" * 5000 + b'"}'
    for url in [*COLLECTIONS, *object_urls()]:
        method = admin.patch if url.count("/") == 4 and not url.endswith("/test") else admin.post
        assert_error_shape(method(url, big, content_type="application/json"), 413)


def test_a_body_that_is_not_json_is_a_415(admin: Client) -> None:
    for url in COLLECTIONS:
        assert_error_shape(admin.post(url, "name=x", content_type="application/x-www-form-urlencoded"), 415)
        assert_error_shape(admin.post(url, b"<a/>", content_type="text/xml"), 415)


def test_history_filters_with_odd_offsets_are_answered(admin: Client) -> None:
    # Python accepts offsets up to 23:59; PostgreSQL up to 15:59. Both are answered.
    for since in ("0011-03-13T07:24:34+17:58", "0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59"):
        response = admin.get("/api/v1/alerts", {"since": since})
        assert response.status_code in (200, 400), response.content
    assert_error_shape(admin.get("/api/v1/alerts", {"since": "2026-01-01T00:00:00"}), 400)


def test_only_the_hash_of_a_key_is_stored(db) -> None:
    key, raw = ApiKey.generate("stored", "ingest")
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM alerting_apikey")
        rows = cursor.fetchall()
    assert rows
    assert not any(raw in str(value) for row in rows for value in row)
    assert not any(raw[len(key.prefix) :] in str(value) for row in rows for value in row)


def test_keys_are_compared_in_constant_time(db, monkeypatch: pytest.MonkeyPatch) -> None:
    key, raw = ApiKey.generate("one", "read")
    compared: list[tuple[str, str]] = []
    real = auth.hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    # Same prefix, different rest: found by prefix, refused by the hash comparison.
    forged = raw[: len(key.prefix)] + "A" * (len(raw) - len(key.prefix))
    assert Client(HTTP_AUTHORIZATION=f"Bearer {forged}").get("/api/v1/incidents").status_code == 401
    assert compared == [(key.key_hash, hashlib.sha256(forged.encode()).hexdigest())]
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/incidents").status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Bearer a b",
        "Bearer " + "x" * 5000,
        "Basic dXNlcjpwYXNz",
        "Bearer \u00e9\u00e9",
        "Token as_",
    ],
)
def test_malformed_credentials_are_401(db, header: str) -> None:
    response = Client(HTTP_AUTHORIZATION=header).get("/api/v1/incidents")
    assert_error_shape(response, 401)


def test_scopes(db) -> None:
    ingest, _, _ = client_with("ingest")
    read, _, _ = client_with("read")
    revoked, key, _ = client_with("admin")
    key.revoke()
    assert ingest.get("/api/v1/incidents").status_code == 403
    assert ingest.get("/api/v1/integrations").status_code == 403
    assert read.get("/api/v1/incidents").status_code == 200
    body = {"full_name": "Eve", "email": "eve@example.com"}
    assert read.post("/api/v1/operators", body, content_type="application/json").status_code == 403
    assert revoked.get("/api/v1/incidents").status_code == 401
    assert not Operator.objects.filter(email="eve@example.com").exists()


def database_url() -> str:
    conf = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{conf['NAME']}"
    host, port = conf["HOST"] or "127.0.0.1", conf["PORT"] or 5432
    return f"postgres://{conf['USER']}:{conf['PASSWORD']}@{host}:{port}/{conf['NAME']}"


@pytest.fixture
def second_web_process() -> Iterator[str]:
    """The same application in a gunicorn process of its own, on the test database."""
    port = 8300 + os.getpid() % 90
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    environ.update(
        DATABASE_URL=database_url(),
        FIELD_ENCRYPTION_KEYS=",".join(settings.FIELD_ENCRYPTION_KEYS),
        SECRET_KEY=settings.SECRET_KEY,
        DJANGO_SETTINGS_MODULE="alertsite.settings",
    )
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "alertsite.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(f"{base}/healthz", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_rate_limit_is_shared_between_processes(second_web_process: str, live_server) -> None:
    key, raw = ApiKey.generate("shared", "read")
    key.rate_limit_per_minute = 6
    key.save()
    headers = {"Authorization": f"Bearer {raw}"}
    # The window is a calendar minute: start well inside one.
    if time.time() % 60 > 50:
        time.sleep(61 - time.time() % 60)
    codes = []
    for base in (second_web_process, live_server.url) * 3:
        codes.append(requests.get(f"{base}/api/v1/incidents", headers=headers, timeout=10).status_code)
    assert codes == [200] * 6
    for base in (second_web_process, live_server.url):
        limited = requests.get(f"{base}/api/v1/incidents", headers=headers, timeout=10)
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        assert limited.json()["errors"]["detail"]
