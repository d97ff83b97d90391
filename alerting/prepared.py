"""The ingest path's hottest statements, as plain SQL built once.

Compiling a queryset costs Python time on every call; for the lock query of a
single submission it cost more than running it, and the API key lookup was
not far behind. The few statements every request runs are therefore written
as SQL from the models' metadata, once per process, and their rows turned into
model instances with ``Model.from_db`` and the fields' ``from_db_value``, as
the ORM does.

On PostgreSQL with persistent connections they are also bound on the server
and prepared on their connection (psycopg's ``execute(..., prepare=True)`` on
a server-binding ``psycopg.Cursor``), so the server stops parsing and planning
them on every request: planning the lock query cost it several times more
than running it. Only these statements are prepared (the connection's
``prepare_threshold`` is lifted around them alone): with preparation on for
the whole connection, psycopg would also count every ORM statement
(client-bound, each text different), large batch INSERTs included. Public
APIs only: Django's cursor, the model and field API, psycopg's.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import CharField, Field, Model, TextField

from alertsite.db.columns import concrete_field

M = TypeVar("M", bound=Model)

# A statement over more rows than this (an IN list of many ids) differs in text
# with its row count: building or preparing each variant would not pay.
FEW = 4

# One server-binding cursor per psycopg connection, reused by every hot statement on it.
_server_cursors: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


class _Prepared:
    """A server-binding cursor whose statements psycopg prepares on first use."""

    def __init__(self, db: Any, cursor: Any) -> None:
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


def preparing(db: Any) -> bool:
    """Whether hot statements are prepared on ``db``'s connection."""
    return (
        db.vendor == "postgresql"
        and settings.DATABASE_PREPARED_STATEMENTS
        and bool(db.settings_dict["CONN_MAX_AGE"])
        # Django's query log (DEBUG, tests capturing queries) shows only the
        # statements of its own cursors: keep it complete.
        and not db.queries_logged
    )


@contextmanager
def cursor() -> Iterator[Any]:
    """A cursor for the hot statements (``execute``, ``fetchone``, ``fetchall``).

    Django's cursor does Django's steps (the health check, connecting, the
    thread check); where preparing pays, the statements then run on the
    connection's server-binding cursor. A connection used for one request only
    gains nothing from preparing (it costs an extra round trip), so elsewhere
    this is Django's cursor itself.
    """
    db = connections[DEFAULT_DB_ALIAS]  # once: each use of the proxy looks it up again
    with db.cursor() as plain:
        if not preparing(db):
            yield plain
            return
        import psycopg

        raw = plain.cursor.connection
        server = _server_cursors.get(raw)
        if server is None or server.closed:
            # Its adapters are the connection's: Django set them up for its time zone.
            server = _server_cursors[raw] = psycopg.Cursor(raw)
        yield _Prepared(db, server)


def _columns(model: type[Model], db: Any) -> tuple[str, list[Field]]:
    meta = model._meta
    table = db.ops.quote_name(meta.db_table)
    fields = list(meta.concrete_fields)
    return ", ".join(f"{table}.{db.ops.quote_name(f.column)}" for f in fields), fields


_SELECTS: dict[tuple[Any, ...], tuple[str, list[Field]]] = {}


def select(
    model: type[M],
    where: str,
    params: Sequence[Any],
    *,
    extra: Sequence[tuple[str, str]] = (),
    suffix: str = "",
) -> list[M]:
    """``SELECT`` every concrete column of ``model`` (then the ``extra``
    ``(sql, attribute)`` expressions, set on the instances as attributes) from
    its table ``WHERE where`` ``suffix``; the instances the ORM would give.

    ``where`` and ``suffix`` are SQL with ``%s`` placeholders for ``params``.
    """
    db = connections[DEFAULT_DB_ALIAS]
    key = (db.vendor, model._meta.label, where, suffix, tuple(extra))
    built = _SELECTS.get(key)
    if built is None:
        columns, fields = _columns(model, db)
        table = db.ops.quote_name(model._meta.db_table)
        extras = "".join(f", {expression} AS {db.ops.quote_name(name)}" for expression, name in extra)
        sql = f"SELECT {columns}{extras} FROM {table} WHERE {where} {suffix}"  # noqa: S608
        built = _SELECTS[key] = (sql, fields)
    sql, fields = built
    names = [f.attname for f in fields]
    extra_names = [name for _, name in extra]
    converters = [(i, f) for i, f in enumerate(fields) if hasattr(f, "from_db_value")]
    with cursor() as hot:
        hot.execute(sql, list(params))
        rows = hot.fetchall()
    found = []
    for row in rows:
        values = list(row[: len(fields)])
        for i, f in converters:
            values[i] = f.from_db_value(values[i], None, db)
        instance = model.from_db(db.alias, names, values)
        for offset, name in enumerate(extra_names):
            setattr(instance, name, row[len(fields) + offset])
        found.append(instance)
    return found


_INSERTS: dict[tuple[str, str], tuple[str, list[tuple[Field, bool]]]] = {}


def insert_one(instance: Model) -> None:
    """``INSERT`` one new row of a model with an auto-incremented primary key,
    by a statement built once per model (``bulk_create([instance])`` compiles
    it on every call); sets the primary key as ``bulk_create`` would.
    """
    model, meta, db = type(instance), instance._meta, connections[DEFAULT_DB_ALIAS]
    pk = meta.pk
    assert pk is not None
    if not db.features.can_return_columns_from_insert or not pk.db_returning:  # type: ignore[attr-defined]
        model._default_manager.bulk_create([instance])
        return
    key = (db.vendor, meta.label)
    if key not in _INSERTS:
        ops = db.ops
        fields = [f for f in meta.concrete_fields if f is not meta.pk]
        columns = ", ".join(ops.quote_name(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        sql = (
            f"INSERT INTO {ops.quote_name(meta.db_table)} ({columns}) VALUES ({marks}) "  # noqa: S608
            f"RETURNING {ops.quote_name(meta.pk.column)}"
        )
        # A plain text column stores a str as it is: its prep steps (three
        # calls deep) would return it unchanged. Subclasses may transform.
        _INSERTS[key] = (sql, [(f, type(f) in (CharField, TextField)) for f in fields])
    sql, prepared = _INSERTS[key]
    params = []
    for f, plain in prepared:
        # pre_save fills auto_now_add fields on the instance, as an ORM insert does.
        value = getattr(instance, f.attname) if plain else f.pre_save(instance, add=True)
        params.append(value if plain and type(value) is str else f.get_db_prep_save(value, db))
    with cursor() as hot:
        hot.execute(sql, params)
        (pk,) = hot.fetchone()
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = db.alias


def where_equal(model: type[M], field_name: str, value: Any) -> list[M]:
    """``model.objects.filter(<field_name>=value)`` (unordered), as a hot
    statement on PostgreSQL; the ORM elsewhere."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        return list(model._default_manager.filter(**{field_name: value}).order_by())
    q = db.ops.quote_name
    column = f"{q(model._meta.db_table)}.{q(concrete_field(model, field_name).column)}"
    return select(model, f"{column} = %s", [value])
