"""The PostgreSQL backend: Django's, with the two things that need its internals.

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
"""

from __future__ import annotations

import time
from typing import Any

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


class DatabaseWrapper(base.DatabaseWrapper):
    healthy_at: float | None = None
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
        super().close()
