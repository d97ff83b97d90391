"""Chunked request bodies (no Content-Length) are read, bounded by API_MAX_BODY_BYTES.

Once through the WSGI application with a raw environ (as gunicorn builds it:
the body de-chunked, ``wsgi.input_terminated`` set) and once through a real
gunicorn process speaking chunked HTTP/1.1.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection

from alerting.models import ApiKey, CheckResult, Monitor
from alertsite.chunked import ReadChunkedBodies

ROOT = Path(__file__).resolve().parents[2]
# What alertsite.wsgi serves (importing that module checks the stored secrets
# against the keys, outside any test database).
application = ReadChunkedBodies(WSGIHandler())


@pytest.fixture
def keep_connection_open(db) -> Iterator[None]:
    # The WSGI handler closes the database connection after each request; the
    # test's transaction needs it open (Django's test client arranges the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def call(environ_extra: dict, body: bytes | io.BytesIO) -> tuple[str, dict[str, str], bytes]:
    stream = body if isinstance(body, io.BytesIO) else io.BytesIO(body)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/alerts",
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "localhost",
        "CONTENT_TYPE": "application/json",
        "HTTP_TRANSFER_ENCODING": "chunked",
        "wsgi.input": stream,
        "wsgi.input_terminated": True,
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        **environ_extra,
    }
    answer: dict = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info=None) -> None:
        answer["status"], answer["headers"] = status, dict(headers)

    chunks = application(environ, start_response)
    content = b"".join(chunks)
    getattr(chunks, "close", lambda: None)()
    return answer["status"], answer["headers"], content


@pytest.fixture
def auth(db) -> str:
    _, raw = ApiKey.generate("chunked", "ingest")
    return f"Bearer {raw}"


def test_a_chunked_body_is_read(keep_connection_open, auth: str) -> None:
    body = json.dumps({"monitor": "chunked-1", "status": "error", "description": "down"}).encode()
    status, _, content = call({"HTTP_AUTHORIZATION": auth}, body)
    assert status.startswith("202"), content
    assert json.loads(content)["monitor"] == "chunked-1"
    assert CheckResult.objects.filter(monitor__key="chunked-1").count() == 1


def test_a_chunked_body_over_the_limit_is_413_without_reading_it_all(keep_connection_open, auth: str) -> None:
    stream = io.BytesIO(b'{"monitor": "' + b"x" * (10 * 1024 * 1024) + b'"}')
    status, headers, content = call({"HTTP_AUTHORIZATION": auth}, stream)
    assert status.startswith("413")
    assert headers["Content-Type"] == "application/json"
    assert json.loads(content) == {
        "errors": {"detail": [f"The request body is over the {settings.API_MAX_BODY_BYTES}-byte limit."]}
    }
    assert stream.tell() == settings.API_MAX_BODY_BYTES + 1
    assert not Monitor.objects.exists()


def test_chunked_without_a_decoding_server_is_411(keep_connection_open, auth: str) -> None:
    # Without wsgi.input_terminated the input still holds the chunk framing.
    status, _, content = call(
        {"HTTP_AUTHORIZATION": auth, "wsgi.input_terminated": False}, b"5\r\nhello\r\n0\r\n\r\n"
    )
    assert status.startswith("411")
    assert json.loads(content)["errors"]["detail"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    conf = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{conf['NAME']}"
    host, port = conf["HOST"] or "127.0.0.1", conf["PORT"] or 5432
    return f"postgres://{conf['USER']}:{conf['PASSWORD']}@{host}:{port}/{conf['NAME']}"


@pytest.fixture
def gunicorn(transactional_db) -> Iterator[str]:
    """The application in gunicorn, on the test database, with a 4 KB body limit."""
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    environ.update(
        DATABASE_URL=database_url(),
        FIELD_ENCRYPTION_KEYS=",".join(settings.FIELD_ENCRYPTION_KEYS),
        SECRET_KEY=settings.SECRET_KEY,
        DJANGO_SETTINGS_MODULE="alertsite.settings",
        API_MAX_BODY_BYTES="4096",
    )
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "alertsite.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                requests.get(f"{base}/healthz", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def chunks(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def test_gunicorn_reads_chunked_bodies_and_refuses_long_ones(gunicorn: str) -> None:
    _, raw = ApiKey.generate("chunked", "ingest")
    headers = {"Authorization": f"Bearer {raw}", "Content-Type": "application/json"}
    body = json.dumps({"monitor": "chunked-2", "status": "ok"}).encode()
    # A generator body makes requests send Transfer-Encoding: chunked.
    answer = requests.post(f"{gunicorn}/api/v1/alerts", data=chunks(body, 7), headers=headers, timeout=30)
    assert answer.status_code == 202, answer.text
    assert answer.json()["monitor"] == "chunked-2"

    long = json.dumps({"monitor": "chunked-3", "status": "error", "description": "x" * 6000}).encode()
    answer = requests.post(f"{gunicorn}/api/v1/alerts", data=chunks(long, 1000), headers=headers, timeout=30)
    assert answer.status_code == 413
    assert answer.json() == {"errors": {"detail": ["The request body is over the 4096-byte limit."]}}
    assert not Monitor.objects.filter(key="chunked-3").exists()
