"""The ingest path's hot statements (alertsite.db.hot_sql): on PostgreSQL with
persistent connections the backend binds them on the server and prepares them
on their connection, and their answers are the same as the ORM's."""

from __future__ import annotations

import pytest
from django.db import connection

from alerting.engine.locking import lock_monitors
from alerting.models import CheckResult, Monitor
from alertsite.db import hot_sql

ERROR = {"monitor": "prep-1", "status": "error", "description": "down"}


@pytest.fixture
def persistent(monkeypatch):
    """The connection settings of a production web process (DATABASE_CONN_MAX_AGE=60)."""
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)


def submit_ok_times(client, n: int) -> None:
    for _ in range(n):
        response = client.post("/api/v1/alerts", {"monitor": "prep-1", "status": "ok"}, format="json")
        assert response.status_code == 202, response.content


def prepared_statements() -> list[str]:
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE from_sql = false")
        return [row[0] for row in cursor.fetchall()]


def test_hot_statements_are_prepared_on_postgresql(ingest_client, persistent):
    submit_ok_times(ingest_client, 3)
    statements = prepared_statements()
    if connection.vendor != "postgresql":
        # Elsewhere the hot path takes the ordinary cursor.
        with hot_sql.cursor() as hot, connection.cursor() as plain:
            assert type(hot.cursor) is type(plain.cursor)
        return
    assert any(s.startswith('SELECT "alerting_apikey"') for s in statements), statements
    lock = [s for s in statements if s.startswith('SELECT "alerting_monitor"') and "FOR UPDATE" in s]
    assert lock, statements
    assert any(s.startswith('INSERT INTO "alerting_checkresult"') for s in statements), statements
    assert any(s.startswith('UPDATE "alerting_monitor"') for s in statements), statements
    # The later OKs, the monitor known by then: the steady OK's one statement.
    assert any(s.startswith("WITH m AS (UPDATE") for s in statements), statements
    # Parameters are bound on the server, never quoted into the text.
    assert not any("prep-1" in s for s in statements)
    # Only the hot statements: the ORM's own are not counted or prepared.
    assert len(statements) == 5, statements
    assert connection.connection.prepare_threshold is None


def test_nothing_is_prepared_when_connections_are_not_kept(ingest_client, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    submit_ok_times(ingest_client, 3)
    assert prepared_statements() == []


def test_nothing_is_prepared_when_turned_off(ingest_client, persistent, settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    submit_ok_times(ingest_client, 3)
    assert prepared_statements() == []


def test_prepared_statements_answer_as_the_orm_does(ingest_client, persistent):
    submit_ok_times(ingest_client, 3)  # the statements are prepared by now
    response = ingest_client.post("/api/v1/alerts", ERROR, format="json")
    assert response.status_code == 202
    body = response.json()
    assert body["incident"]["status"] == "open"
    monitor = Monitor.objects.get(key="prep-1")
    stored = CheckResult.objects.get(pk=body["id"])
    assert stored.monitor_id == monitor.pk
    assert stored.status == "error" and stored.description == "down"
    assert stored.received_at is not None and stored.received_at.tzinfo is not None
    assert monitor.last_status == "error"
    assert monitor.last_check_at == stored.timestamp
    # The lock query's annotations come back through the prepared statement too.
    locked = lock_monitors({"prep-1": ""})["prep-1"]
    assert locked.open_incident_id is not None
    assert locked.monitor.pk == monitor.pk and locked.monitor.last_status == "error"
    assert locked.monitor.last_check_at == stored.timestamp
