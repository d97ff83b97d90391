"""The PostgreSQL backend: Django's, with the three things that need internals.

Selected by ``ENGINE`` when ``DATABASE_URL`` is PostgreSQL (the database
backend is Django's sanctioned extension point). Everything here leans on
internals of Django or psycopg, so ``tests/foundation/test_db_backend.py``
checks each assumption and fails naming it after an upgrade.

- **Array dumping.** Django's bulk_create on PostgreSQL sends each column as
  one array parameter (``INSERT ... SELECT * FROM UNNEST(%s::jsonb[], ...)``),
  and with client-side binding psycopg writes the array literal itself. Its
  dumper escapes every element with a regular expression whose replacement
  template is expanded in Python at each match; a JSON value has dozens of
  double quotes, so a storm's bulk INSERTs of alerts and messages spent a third
  of their CPU there. ``FastListDumper`` does the same escaping with two
  ``bytes.replace`` calls (it replaces psycopg's ``ListDumper._re_esc``).
  Measured: a batch of 100 first errors costs 30-40 % less app CPU.
- **The per-request health check.** With persistent connections Django's
  ``CONN_HEALTH_CHECKS`` sends ``SELECT 1`` before the first query of every
  request; under load that round trip was a sixth of an ingest request's time,
  and it proves little about a connection that answered a moment ago. A
  connection that ran the previous request's queries without a database error
  less than ``FRESH_SECONDS`` ago is trusted; one idle for longer, or that saw
  an error, is checked as before (``DATABASE_HEALTH_CHECK_SHORTCUT``).
- **Prepared hot statements** (``hot_cursor()``). The few statements every
  submission runs (``alertsite.db.hot_sql``) are bound on the server and prepared
  on their connection (psycopg's ``execute(..., prepare=True)`` on a
  server-binding ``psycopg.Cursor`` over the connection under Django's), so
  the server stops parsing and planning them on every request: planning the
  lock query cost it several times more than running it. Only these: with
  preparation on for the whole connection (the ``prepare_threshold`` option)
  psycopg would also count and prepare every ORM statement, each text
  different, large batch INSERTs included; and Django's ``server_side_binding``
  option would bind every ORM query on the server, which Django documents as
  breaking some of them. Measured: 10-15 % less app CPU per OK submission
  (``DATABASE_PREPARED_STATEMENTS=false`` turns it off).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base
from psycopg.types.array import ListDumper

FRESH_SECONDS = 1.0


class _Escape:
    """What ``ListDumper._re_esc.sub(rb"\\\\\\1", item)`` does: a backslash
    before every double quote and every backslash."""

    @staticmethod
    def sub(_template: bytes, data: Any) -> bytes:
        return bytes(data).replace(b"\\", b"\\\\").replace(b'"', b'\\"')


class FastListDumper(ListDumper):
    _re_esc = _Escape()  # type: ignore[assignment]


class _Prepared:
    """A server-binding cursor whose statements psycopg prepares on first use."""

    def __init__(self, db: Any, cursor: psycopg.Cursor[Any]) -> None:
        self.db, self.cursor = db, cursor

    def execute(self, sql: str, params: Sequence[Any]) -> None:
        raw = self.cursor.connection
        # psycopg prepares nothing while the connection's threshold is None
        # (Django's default): allow it around this statement only.
        threshold, raw.prepare_threshold = raw.prepare_threshold, 0
        try:
            with self.db.wrap_database_errors:
                self.cursor.execute(sql, params, prepare=True)
        finally:
            raw.prepare_threshold = threshold

    def fetchone(self) -> Any:
        with self.db.wrap_database_errors:
            return self.cursor.fetchone()

    def fetchall(self) -> list[Any]:
        with self.db.wrap_database_errors:
            return self.cursor.fetchall()


class DatabaseWrapper(base.DatabaseWrapper):
    healthy_at: float | None = None
    # The server-binding cursor over the current psycopg connection, reused
    # by every hot statement on it. Held here, next to the connection it
    # references, and dropped with it: a cursor keeps its connection alive, so
    # a module-level map from connections to their cursors (as this was) kept
    # every connection ever opened, and a delivery worker, which opens one per
    # lane, grew by ~15 MB a minute.
    hot_server_cursor: psycopg.Cursor[Any] | None = None
    health_check_done: bool  # Django's (since 4.1); not in the type stubs

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        connection.adapters.register_dumper(list, FastListDumper)
        return connection

    def close_if_unusable_or_obsolete(self) -> None:
        # Called when a request starts and when it ends (close_old_connections).
        # At the end, health_check_done says the request used the connection
        # (Django resets it here, so at the next start it is False again);
        # errors_occurred: a database error since (not a DataError or
        # IntegrityError, which say nothing about the connection).
        used_well = self.connection is not None and self.health_check_done and not self.errors_occurred
        if used_well:
            self.healthy_at = time.monotonic()
        elif self.errors_occurred:
            self.healthy_at = None
        super().close_if_unusable_or_obsolete()

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and not self.health_check_done
            and self.healthy_at is not None
            and settings.DATABASE_HEALTH_CHECK_SHORTCUT
            and time.monotonic() - self.healthy_at < FRESH_SECONDS
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def close(self) -> None:
        self.healthy_at = None
        self.hot_server_cursor = None
        super().close()

    def preparing(self) -> bool:
        """Whether ``hot_cursor`` prepares: only on kept connections (one
        used for a single request gains nothing and pays a round trip), and
        never while Django logs queries (DEBUG, tests capturing them), whose
        log shows only its own cursors' statements."""
        return (
            settings.DATABASE_PREPARED_STATEMENTS
            and bool(self.settings_dict["CONN_MAX_AGE"])
            and not self.queries_logged
        )

    @contextmanager
    def hot_cursor(self) -> Iterator[Any]:
        """A cursor (``execute``, ``fetchone``, ``fetchall``) for the hot statements.

        Django's cursor does Django's steps (the health check, connecting,
        the thread check); where preparing pays, the statements then run on
        the connection's server-binding cursor, else on Django's cursor.
        """
        with self.cursor() as plain:
            if not self.preparing():
                yield plain
                return
            raw = plain.cursor.connection
            server = self.hot_server_cursor
            if server is None or server.closed or server.connection is not raw:
                # Its adapters are the connection's: Django set them up for its time zone.
                server = self.hot_server_cursor = psycopg.Cursor(raw)
            yield _Prepared(self, server)
