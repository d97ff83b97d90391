"""The steady OK: an OK for a known monitor with nothing open, in one statement.

Most check results are exactly that, and all they change is the monitor's
last check and one new CheckResult row. The general path
(``submissions.process_batch``) spends a transaction on it: BEGIN, the
locking SELECT, the INSERT, the UPDATE, COMMIT. Here one statement does the
same on PostgreSQL, with the same guards::

    WITH m AS (UPDATE monitor SET last_check_at, last_status
               WHERE key = ... AND not older than its last check
                 AND no incident of it is open
               RETURNING *)
    INSERT INTO checkresult (...) SELECT ..., m.id FROM m RETURNING id, m's columns

The UPDATE takes the monitor's row lock, as the locking SELECT does. It also
asks that the monitor's last applied result was not an error: an incident
opened by a transaction that held the lock while this statement waited for
it is not visible to the NOT EXISTS (it reads the statement's snapshot), but
the monitor row that transaction wrote is, since PostgreSQL checks the
conditions again on the newest version of a row it waited for. So a steady OK
never passes over an incident opened a moment before. When it changes no
row (an unknown monitor, an out-of-order result, a last error, an incident to
resolve) it has written nothing, and the caller takes the general path,
which handles all of those.

Maintenance that disables monitoring is decided from the configuration
snapshot before: the fast path is only taken when no such period covers the
moment for any monitor.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field

from alerting.models import CheckResult, CheckStatus, Incident, Monitor
from alertsite.db.columns import concrete_field, concrete_fields
from alertsite.db.hot_sql import cursor as hot_cursor

_SQL: dict[str, tuple[str, list[Field[Any, Any]], list[Field[Any, Any]]]] = {}


def supported() -> bool:
    """Data-modifying WITH clauses: PostgreSQL's."""
    return connections[DEFAULT_DB_ALIAS].vendor == "postgresql"


def eligible(status: str, monitor_data: dict[str, Any]) -> bool:
    """An OK without monitor data to apply (which the general path writes)."""
    return status == CheckStatus.OK and not any(v is not None for v in monitor_data.values())


def _build(db: Any) -> tuple[str, list[Field[Any, Any]], list[Field[Any, Any]]]:
    q = db.ops.quote_name
    monitor_table, incident_table = q(Monitor._meta.db_table), q(Incident._meta.db_table)
    result_table = q(CheckResult._meta.db_table)
    checked = q(concrete_field(Monitor, "last_check_at").column)
    last_status = q(concrete_field(Monitor, "last_status").column)
    monitor_pk = q(Monitor._meta.pk.column)
    key = q(concrete_field(Monitor, "key").column)
    incident_monitor = q(concrete_field(Incident, "monitor").column)
    resolved = q(concrete_field(Incident, "resolved_at").column)
    monitor_fields = concrete_fields(Monitor)
    result_fields = [f for f in concrete_fields(CheckResult) if f is not CheckResult._meta.pk]
    monitor_fk = concrete_field(CheckResult, "monitor")
    # Every value is cast to its column's type: in a SELECT list nothing else
    # tells the server what a parameter is.
    values = ", ".join(
        f"m.{monitor_pk}" if f is monitor_fk else f"%s::{f.db_type(db)}" for f in result_fields
    )
    sql = (
        f"WITH m AS (UPDATE {monitor_table} SET {checked} = %s, {last_status} = %s "  # noqa: S608
        f"WHERE {monitor_table}.{key} = %s "
        f"AND ({monitor_table}.{checked} IS NULL OR {monitor_table}.{checked} <= %s) "
        f"AND ({monitor_table}.{last_status} IS NULL OR {monitor_table}.{last_status} <> %s) "
        f"AND NOT EXISTS (SELECT 1 FROM {incident_table} U0 WHERE U0.{incident_monitor} = "
        f"{monitor_table}.{monitor_pk} AND U0.{resolved} IS NULL) "
        f"RETURNING {', '.join(f'{monitor_table}.{q(f.column)}' for f in monitor_fields)}), "
        f"r AS (INSERT INTO {result_table} ({', '.join(q(f.column) for f in result_fields)}) "
        f"SELECT {values} FROM m RETURNING {q(CheckResult._meta.pk.column)}) "
        f"SELECT r.*, m.* FROM r, m"
    )
    # The fields whose values are parameters (the monitor's id comes from m).
    return sql, [f for f in result_fields if f is not monitor_fk], monitor_fields


def record(result: CheckResult, key: str) -> Monitor | None:
    """Store ``result`` (an OK, not yet saved) for the monitor ``key`` and
    move the monitor on, if it exists, has nothing open and has no newer
    check; returns the monitor then (``result`` saved), else None (nothing
    written)."""
    db = connections[DEFAULT_DB_ALIAS]
    built = _SQL.get(db.alias)
    if built is None:
        built = _SQL[db.alias] = _build(db)
    sql, value_fields, monitor_fields = built
    checked_at = concrete_field(Monitor, "last_check_at").get_db_prep_save(result.timestamp, db)
    params: list[Any] = [checked_at, result.status, key, checked_at, CheckStatus.ERROR.value]
    params += [f.get_db_prep_save(f.pre_save(result, add=True), db) for f in value_fields]
    with hot_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row[1:])
    for i, f in enumerate(monitor_fields):
        if hasattr(f, "from_db_value"):
            values[i] = f.from_db_value(values[i], None, db)
    monitor = Monitor.from_db(db.alias, [f.attname for f in monitor_fields], values)
    result.pk = row[0]
    result.monitor = monitor
    result._state.adding = False
    result._state.db = db.alias
    return monitor
