"""Writing opened incidents with one statement on PostgreSQL.

Opening incidents writes four tables, each row referring to one of the row
before it: the incident, its escalation states and alerts, the alerts'
messages. Through the ORM that is four INSERTs (four round trips, four
compilations) even for one first error, and they were the larger part of its
cost. PostgreSQL runs them as one statement: a chain of data-modifying CTEs,
each ``INSERT ... SELECT`` from ``UNNEST`` of one array per column (as
Django's own bulk insert does) joined to the ``RETURNING`` rows of its parent.

Every value is computed in Python beforehand, as the ORM would (each field's
``pre_save`` and ``get_db_prep_save``); the parents' ids come from the joins:
an incident is found by its monitor (a batch opens one per monitor), an alert
by its incident and level (a first error raises one per level). Plain SQL
through Django's cursor, built once per process from the models' metadata.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, Model

from alerting.models import Alert, EscalationState, Incident
from alertsite.db.columns import concrete_fields
from integrations.models import Message


def supported() -> bool:
    return connections[DEFAULT_DB_ALIAS].vendor == "postgresql"


@cache
def _fields(model: type[Model], parent: str | None) -> list[Field[Any, Any]]:
    """The columns written from Python: all but the primary key and the parent's key."""
    return [f for f in concrete_fields(model) if not f.primary_key and f.name != parent]


_PARENT = {EscalationState: "incident", Alert: "incident", Message: "alert"}
_SQL: dict[str, str] = {}


def _sql(db: Any) -> str:
    q = db.ops.quote_name

    def table(model: type[Model]) -> str:
        return str(q(model._meta.db_table))

    def column(model: type[Model], name: str) -> str:
        return str(q(model._meta.get_field(name).column))  # type: ignore[union-attr]

    def arrays(fields: Sequence[Field[Any, Any]], refs: Sequence[str] = ()) -> tuple[str, str, str]:
        """UNNEST(...) AS s(..., n), the source columns, the target columns."""
        # Array types without their length (varchar[], not varchar(200)[]), as Django's bulk insert.
        casts = [f"%s::{t}[]" for t in refs] + [f"%s::{f.db_type(db).split('(')[0]}[]" for f in fields]  # type: ignore[union-attr]
        names = [f"r{i}" for i in range(len(refs))] + [f"c{i}" for i in range(len(fields))]
        source = ", ".join(f"s.c{i}" for i in range(len(fields)))
        target = ", ".join(q(f.column) for f in fields)
        unnest = f"UNNEST({', '.join(casts)}) WITH ORDINALITY AS s({', '.join(names)}, n)"
        return unnest, source, target

    pk = q("id")
    # The references' types: a monitor's key (uuid), a level's.
    monitor_ref = str(Incident._meta.get_field("monitor").db_type(db))
    level_ref = str(Alert._meta.get_field("level").db_type(db))
    incident_fields = _fields(Incident, None)
    unnest, source, target = arrays(incident_fields)
    monitor = column(Incident, "monitor")
    parts = [
        f"i AS (INSERT INTO {table(Incident)} ({target}) SELECT {source} FROM {unnest} "  # noqa: S608
        f"RETURNING {pk}, {monitor})"
    ]
    unnest, source, target = arrays(_fields(EscalationState, "incident"), [monitor_ref])
    parts.append(
        f"e AS (INSERT INTO {table(EscalationState)} ({column(EscalationState, 'incident')}, {target}) "  # noqa: S608
        f"SELECT i.{pk}, {source} FROM {unnest} JOIN i ON i.{monitor} = s.r0)"
    )
    unnest, source, target = arrays(_fields(Alert, "incident"), [monitor_ref])
    alert_incident, alert_level = column(Alert, "incident"), column(Alert, "level")
    parts.append(
        f"a AS (INSERT INTO {table(Alert)} ({alert_incident}, {target}) "  # noqa: S608
        f"SELECT i.{pk}, {source} FROM {unnest} JOIN i ON i.{monitor} = s.r0 "
        f"RETURNING {pk}, {alert_incident}, {alert_level})"
    )
    unnest, source, target = arrays(_fields(Message, "alert"), [monitor_ref, level_ref])
    message_alert = column(Message, "alert")
    parts.append(
        f"m AS (INSERT INTO {table(Message)} ({message_alert}, {target}) "  # noqa: S608
        f"SELECT a.{pk}, {source} FROM {unnest} JOIN i ON i.{monitor} = s.r0 "
        f"JOIN a ON a.{alert_incident} = i.{pk} AND a.{alert_level} = s.r1 "
        # In the order given: the ids of one alert's messages are handed out in it.
        f"ORDER BY s.n RETURNING {pk}, {message_alert})"
    )
    return (
        f"WITH {', '.join(parts)} "  # noqa: S608
        f"SELECT 0, {pk}, {monitor}, NULL, NULL FROM i "
        f"UNION ALL SELECT 1, {pk}, NULL, {alert_incident}, {alert_level} FROM a "
        f"UNION ALL SELECT 2, {pk}, NULL, {message_alert}, NULL FROM m"
    )


def _columns(db: Any, rows: Sequence[Model], fields: Sequence[Field[Any, Any]]) -> list[list[Any]]:
    """One list of database values per field (``pre_save`` fills auto_now
    fields on the row, as an insert does)."""
    return [[f.get_db_prep_save(f.pre_save(row, True), db) for row in rows] for f in fields]


def insert_opened(
    incidents: list[Incident], states: list[EscalationState], alerts: list[Alert], messages: list[Message]
) -> None:
    """INSERT the new ``incidents`` (each of a different monitor), the
    ``states`` and ``alerts`` of them (at most one alert per incident and
    level) and the ``messages`` of those alerts, each referring to its parent
    object; sets every primary key but the states'."""
    db = connections[DEFAULT_DB_ALIAS]
    sql = _SQL.get(db.alias)
    if sql is None:
        sql = _SQL[db.alias] = _sql(db)
    params: list[Any] = _columns(db, incidents, _fields(Incident, None))
    params.append([s.incident.monitor_id for s in states])
    params += _columns(db, states, _fields(EscalationState, "incident"))
    params.append([a.incident.monitor_id for a in alerts])
    params += _columns(db, alerts, _fields(Alert, "incident"))
    params.append([m.alert.incident.monitor_id for m in messages])  # type: ignore[union-attr]
    params.append([m.alert.level_id for m in messages])  # type: ignore[union-attr]
    params += _columns(db, messages, _fields(Message, "alert"))
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    incident_ids: dict[Any, int] = {}
    alert_ids: dict[tuple[int, Any], int] = {}
    message_ids: dict[int, list[int]] = {}
    for kind, pk, monitor, parent, level in rows:
        if kind == 0:
            incident_ids[monitor] = pk
        elif kind == 1:
            alert_ids[parent, level] = pk
        else:
            message_ids.setdefault(parent, []).append(pk)
    for incident in incidents:
        _saved(incident, incident_ids[incident.monitor_id], db)
    for state in states:
        state.incident_id = state.incident.pk
    for alert in alerts:
        alert.incident_id = alert.incident.pk
        _saved(alert, alert_ids[alert.incident_id, alert.level_id], db)
    # Messages of one alert: their ids in insertion order (one sequence, one statement).
    pending = {alert.pk: sorted(message_ids.get(alert.pk, [])) for alert in alerts}
    for message in messages:
        parent = message.alert
        assert parent is not None
        message.alert_id = parent.pk
        _saved(message, pending[parent.pk].pop(0), db)


def _saved(instance: Model, pk: int, db: Any) -> None:
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = db.alias


_NEW_SQL: dict[tuple[str, str], str] = {}


def insert_new(rows: Sequence[Model]) -> set[Any]:
    """``INSERT`` ``rows`` (primary keys set in Python) unless one conflicts
    with a row already there (``ON CONFLICT DO NOTHING``, as
    ``bulk_create(ignore_conflicts=True)``): one statement that also says which
    rows are the new ones, with no second look; returns their primary keys."""
    if not rows:
        return set()
    db = connections[DEFAULT_DB_ALIAS]
    model = type(rows[0])
    fields = concrete_fields(model)
    key = (db.alias, model._meta.label)
    sql = _NEW_SQL.get(key)
    if sql is None:
        q = db.ops.quote_name
        casts = ", ".join(f"%s::{str(f.db_type(db)).split('(')[0]}[]" for f in fields)
        sql = _NEW_SQL[key] = (
            f"INSERT INTO {q(model._meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "  # noqa: S608
            f"SELECT * FROM UNNEST({casts}) ON CONFLICT DO NOTHING RETURNING {q(model._meta.pk.column)}"
        )
    with db.cursor() as cursor:
        cursor.execute(sql, _columns(db, rows, fields))
        new = {pk for (pk,) in cursor.fetchall()}
    for row in rows:
        if row.pk in new:
            _saved(row, row.pk, db)
    return new
