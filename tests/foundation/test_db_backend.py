"""alertsite.db.postgresql: the PostgreSQL backend's three uses of internals.

The first tests pin what the backend assumes of Django and psycopg, so an
upgrade that changes it fails here, by name, rather than silently slowing the
storm down or checking every connection again. Then: the faster array dumper
writes exactly what psycopg's own does, PostgreSQL connections use it, and the
health-check shortcut trusts only a connection used well a moment ago
(driven through the real WSGI handler, whose request signals carry it).
"""

from __future__ import annotations

import gc
import inspect
import io
import json
import weakref

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test.utils import CaptureQueriesContext
from psycopg.adapt import PyFormat, Transformer
from psycopg.types.array import ListDumper

from alerting.models import Monitor
from alertsite.db.postgresql import base as backend
from alertsite.db.postgresql.base import FastListDumper

TRICKY = [
    'say "hi"',
    "back\\slash",
    '\\"both\\"',
    "",
    None,
    "comma, and {braces}",
    "NULL",
    "ünïcødé ✓",
    json.dumps({"k": 'v "q" \\ end', "n": [1, None]}),
]


def test_psycopg_still_escapes_array_elements_through_re_esc():
    """FastListDumper replaces ListDumper._re_esc: if psycopg renames or stops
    using it, the override would silently do nothing."""
    assert hasattr(ListDumper, "_re_esc"), "psycopg's ListDumper no longer has _re_esc: rework FastListDumper"
    assert callable(ListDumper._re_esc.sub)
    assert FastListDumper._re_esc is not ListDumper._re_esc
    # The override is what escapes: break it, and dumping must change.
    broken = type(
        "Broken", (FastListDumper,), {"_re_esc": type("E", (), {"sub": staticmethod(lambda t, d: b"X")})()}
    )
    dumped = broken(list, Transformer()).upgrade(['a"b'], PyFormat.TEXT).dump(['a"b'])
    assert b"X" in bytes(dumped), "psycopg's ListDumper no longer escapes through _re_esc.sub"


def test_django_still_has_the_health_check_hooks_the_backend_overrides():
    for name in ("close_if_health_check_failed", "close_if_unusable_or_obsolete", "get_new_connection"):
        assert hasattr(BaseDatabaseWrapper, name), f"Django's database wrapper has no {name} any more"
    wrapper = connections["default"]
    for flag in ("health_check_done", "errors_occurred", "health_check_enabled"):
        assert hasattr(wrapper, flag), f"Django's database wrapper has no {flag} flag any more"


def test_psycopg_and_django_still_have_what_the_hot_cursor_uses():
    """hot_cursor prepares single statements on a server-binding cursor over
    the psycopg connection under Django's cursor."""
    assert "prepare" in inspect.signature(psycopg.Cursor.execute).parameters, "psycopg: no execute(prepare=)"
    assert hasattr(psycopg.Connection, "prepare_threshold"), "psycopg: no Connection.prepare_threshold"
    wrapper = connections["default"]
    for name in ("wrap_database_errors", "queries_logged"):
        assert hasattr(wrapper, name), f"Django's database wrapper has no {name} any more"


@pytest.mark.django_db
def test_the_hot_cursor_prepares_on_the_connection_under_djangos_cursor(monkeypatch):
    db = connections["default"]
    if not shortcut():
        assert not hasattr(db, "hot_cursor")  # elsewhere the hot statements take Django's cursor
        return
    monkeypatch.setitem(db.settings_dict, "CONN_MAX_AGE", 60)
    with db.cursor() as plain:
        assert isinstance(plain.cursor, psycopg.Cursor), "Django's cursor no longer wraps psycopg's"
        assert plain.cursor.connection is db.connection
    with db.hot_cursor() as hot:
        assert isinstance(hot, backend._Prepared)
        hot.execute("SELECT %s::int + 1", [41])
        assert hot.fetchone() == (42,)
    with db.cursor() as plain:
        plain.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'SELECT $1::int + 1'")
        assert plain.fetchone() == (1,)
    assert db.connection.prepare_threshold is None  # lifted around that statement only


@pytest.mark.django_db(transaction=True)
def test_a_closed_connection_is_not_kept_alive_by_its_hot_cursor(monkeypatch):
    """A delivery worker opens and closes a connection per lane: each closed
    one must be freed, hot statements or not (a cursor cache keyed by
    connection once kept them all, ~15 MB a minute)."""
    if not shortcut():
        assert not hasattr(connections["default"], "hot_cursor")
        return
    monkeypatch.setitem(connections["default"].settings_dict, "CONN_MAX_AGE", 60)
    opened = []
    for _round in range(3):
        db = connections.create_connection("default")
        try:
            for _statement in range(2):  # the second reuses the first's server cursor
                with db.hot_cursor() as hot:
                    assert isinstance(hot, backend._Prepared)
                    hot.execute("SELECT %s::int", [7])
                    assert hot.fetchone() == (7,)
            opened.append(weakref.ref(db.connection))
            server = db.hot_server_cursor
            db.close()
            db.connect()  # a new connection gets a new server cursor
            with db.hot_cursor() as hot:
                hot.execute("SELECT %s::int", [8])
                assert hot.fetchone() == (8,)
            assert db.hot_server_cursor is not server
        finally:
            db.close()
        del db, server
    gc.collect()
    assert [ref() for ref in opened] == [None, None, None]


@pytest.mark.parametrize("value", [TRICKY, [TRICKY[:3], TRICKY[3:6]], [1, 2, None], ["plain"], []])
def test_dumps_what_psycopg_dumps(value):
    ours = FastListDumper(list, Transformer()).upgrade(value, PyFormat.TEXT)
    theirs = ListDumper(list, Transformer()).upgrade(value, PyFormat.TEXT)
    assert type(ours) is FastListDumper
    assert bytes(ours.dump(value)) == bytes(theirs.dump(value))


@pytest.mark.django_db
def test_bulk_create_round_trips_through_the_arrays():
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        assert isinstance(connections["default"], backend.DatabaseWrapper)
        dumper = connection.connection.adapters.get_dumper(list, PyFormat.TEXT)
        assert dumper is FastListDumper
    names = [v for v in TRICKY if v]  # names are required
    with CaptureQueriesContext(connection) as queries:
        Monitor.objects.bulk_create(
            [Monitor(key=f"arr-{i}", name=name, custom_fields={"v": name}) for i, name in enumerate(names)]
        )
    if connection.vendor == "postgresql":
        assert "UNNEST" in queries.captured_queries[-1]["sql"]  # the array path is the one taken
    stored = {m.key: m for m in Monitor.objects.filter(key__startswith="arr-")}
    for i, name in enumerate(names):
        assert stored[f"arr-{i}"].name == name
        assert stored[f"arr-{i}"].custom_fields == {"v": name}


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


def shortcut() -> bool:
    """Whether this run's database has the shortcut (PostgreSQL, our backend);
    elsewhere Django checks every request's connection, as it always did."""
    return isinstance(connections["default"], backend.DatabaseWrapper)


@pytest.mark.django_db(transaction=True)
def test_a_connection_used_a_moment_ago_is_not_checked_again(checks):
    app = WSGIHandler()
    assert get(app, "/healthz") == 200  # connects: a new connection needs no check
    for _ in range(3):
        assert get(app, "/healthz") == 200  # used well a moment ago: trusted
    assert len(checks) == (0 if shortcut() else 3)


@pytest.mark.django_db(transaction=True)
def test_an_idle_connection_is_checked(checks, monkeypatch):
    monkeypatch.setattr(backend, "FRESH_SECONDS", 0.0)
    app = WSGIHandler()
    for _ in range(4):
        assert get(app, "/healthz") == 200
    assert len(checks) == 3  # every request after the one that connected


@pytest.mark.django_db(transaction=True)
def test_the_shortcut_can_be_switched_off(checks, settings):
    settings.DATABASE_HEALTH_CHECK_SHORTCUT = False
    app = WSGIHandler()
    for _ in range(4):
        assert get(app, "/healthz") == 200
    assert len(checks) == 3


@pytest.mark.django_db(transaction=True)
def test_a_connection_that_saw_an_error_is_checked(checks):
    app = WSGIHandler()
    get(app, "/healthz")
    get(app, "/healthz")
    before = len(checks)
    db = connections["default"]
    # A database error in the last request (not a DataError or IntegrityError):
    # Django checks the connection when the request ends.
    db.errors_occurred = True
    db.close_if_unusable_or_obsolete()
    assert len(checks) == before + 1
    get(app, "/healthz")
    # Checked and used well since: trusted again with the shortcut.
    assert len(checks) == before + (1 if shortcut() else 2)
