"""alertsite.db_health: a persistent connection that served the previous request
without error less than a second ago skips Django's per-request health check
(``SELECT 1``); any other is checked as before. Driven through the real WSGI
handler, whose request signals carry it."""

from __future__ import annotations

import io

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections

from alertsite import db_health


def get(app: WSGIHandler, path: str) -> int:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
    }
    statuses: list[str] = []
    response = app(environ, lambda status, headers: statuses.append(status))
    b"".join(response)
    response.close()  # as a WSGI server does: this sends request_finished
    return int(statuses[0].split()[0])


@pytest.fixture
def checks(monkeypatch) -> list[int]:
    """A persistent, health-checked connection; the list grows by one per check."""
    db_health.install()  # as at startup: earlier tests' test clients reorder Django's receivers
    db = connections["default"]
    monkeypatch.setitem(db.settings_dict, "CONN_MAX_AGE", 60)
    monkeypatch.setitem(db.settings_dict, "CONN_HEALTH_CHECKS", True)
    db.close()  # the next connection is made with these settings
    made: list[int] = []
    real = db.is_usable

    def counting() -> bool:
        made.append(1)
        return real()

    monkeypatch.setattr(db, "is_usable", counting)
    yield made
    db.close()


@pytest.mark.django_db(transaction=True)
def test_a_connection_used_a_moment_ago_is_not_checked_again(checks):
    app = WSGIHandler()
    assert get(app, "/healthz") == 200  # connects: a new connection needs no check
    for _ in range(3):
        assert get(app, "/healthz") == 200  # used well a moment ago: trusted
    assert checks == []


@pytest.mark.django_db(transaction=True)
def test_an_idle_connection_is_checked(checks, monkeypatch):
    monkeypatch.setattr(db_health, "FRESH_SECONDS", 0.0)
    app = WSGIHandler()
    for _ in range(4):
        assert get(app, "/healthz") == 200
    assert len(checks) == 3  # every request after the one that connected


@pytest.mark.django_db(transaction=True)
def test_a_connection_that_saw_an_error_is_checked(checks):
    app = WSGIHandler()
    get(app, "/healthz")
    get(app, "/healthz")
    assert checks == []
    # A database error in the last request (not a DataError or IntegrityError).
    db = connections["default"]
    db.errors_occurred = True
    db_health._note_healthy()
    db.errors_occurred = False
    get(app, "/healthz")
    assert len(checks) == 1
    get(app, "/healthz")  # checked and used well: trusted again
    assert len(checks) == 1
