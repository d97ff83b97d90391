"""Compile-once ORM queries for the hottest paths of the ingest API.

Compiling a queryset to SQL costs Python time on every call; for the lock
query of a single submission (two subqueries) it cost more than running it,
and the API key lookup was not far behind. A query whose SQL depends only on
its shape (its parameters differ, nothing else) is compiled once per thread
and shape, and its rows are turned into model instances the way the ORM's own
iterator does (``Model.from_db``, the fields' converters, annotations set as
attributes).

On PostgreSQL these statements are also prepared on their connection
(``cursor()``), so the server stops parsing and planning them on every request:
planning the lock query cost it several times more than running it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.utils import CursorWrapper
from django.db.models import CharField, Field, Model, QuerySet, TextField

M = TypeVar("M", bound=Model)


@dataclass
class _Prepared:
    sql: str
    fixed: list[Any]  # parameters before the caller's (constants of the query)
    compiler: Any
    converters: dict[int, Any]
    fields: slice
    names: list[str]
    annotations: dict[str, int]


# A statement over more rows than this (an IN list of many ids) differs in text
# with its row count: compiling or preparing each variant would not pay.
FEW = 4

# Per thread, as Django's connections are: a compiled query keeps its
# thread's connection for the value converters.
_local = threading.local()


@contextmanager
def cursor() -> Iterator[CursorWrapper]:
    """A Django cursor for the hot statements.

    On PostgreSQL, with persistent connections and DATABASE_PREPARED_STATEMENTS
    on, its parameters are bound on the server (``$1``, not quoted into the
    text) and psycopg prepares each statement on its connection the first time,
    then reuses it. Preparing is switched on only around this cursor's own
    statements: with it on for the whole connection, psycopg would also count
    every ORM statement (client-side bound, each text different), keeping up
    to a hundred of them, large batch INSERTs included, in memory. Elsewhere
    it is the ordinary cursor; a connection used for one request only gains
    nothing from preparing (it would cost an extra round trip).
    """
    db = connections[DEFAULT_DB_ALIAS]  # once: each use of the proxy looks it up again
    if (
        db.vendor != "postgresql"
        or not settings.DATABASE_PREPARED_STATEMENTS
        or not db.settings_dict["CONN_MAX_AGE"]
        # Django's query log (DEBUG, tests capturing queries) shows the text of
        # client-bound statements only: keep it complete.
        or db.queries_logged
    ):
        with db.cursor() as plain:
            yield plain
        return
    # Django's own steps for a new cursor (BaseDatabaseWrapper._cursor).
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    raw = db.connection
    server = _server_cursor(db, raw)
    raw.prepare_threshold = 0  # prepare at the first use, reuse after
    try:
        # Not closed after use: the next hot statement on this connection reuses it.
        yield db.make_cursor(server)
    finally:
        raw.prepare_threshold = None  # Django's setting for every other cursor


def _server_cursor(db: Any, raw: Any) -> Any:
    """The connection's server-binding cursor, made once per connection (and
    time zone, which Django's create_cursor also follows)."""
    kept = getattr(db, "_hot_cursor", None)
    if kept is not None and kept[0] is raw and kept[1] == db.timezone and not kept[2].closed:
        return kept[2]
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID, ServerBindingCursor
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    with db.wrap_database_errors:
        server = ServerBindingCursor(raw)
    if db.timezone != raw.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT).timezone:
        register_tzloader(db.timezone, server)
    db._hot_cursor = (raw, db.timezone, server)
    return server


def _prepare(queryset: QuerySet[Any], args: Sequence[Any]) -> _Prepared | None:
    compiler = queryset.query.get_compiler(using=DEFAULT_DB_ALIAS)
    sql, params = compiler.as_sql()
    cut = len(params) - len(args)
    if cut < 0 or list(params[cut:]) != list(args):
        return None  # the arguments are not the query's last parameters
    select, klass_info = compiler.select, compiler.klass_info
    first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    return _Prepared(
        sql=sql,
        fixed=list(params[:cut]),
        compiler=compiler,
        converters=compiler.get_converters([column for column, _, _ in select]),
        fields=slice(first, last),
        names=[column.target.attname for column, _, _ in select[first:last]],
        annotations=dict(compiler.annotation_col_map),
    )


def fetch(shape: str, args: Sequence[Any], build: Callable[[], QuerySet[M]]) -> list[M]:
    """The instances ``build()`` would return. ``shape`` names the query and
    everything its SQL depends on; ``args`` are its last parameters, in order
    (a queryset that does not end with them is simply run by the ORM)."""
    db = connections[DEFAULT_DB_ALIAS]
    cache: dict[tuple[str, str], _Prepared | None] = _local.__dict__.setdefault("prepared", {})
    key = (db.alias, shape)
    if key not in cache:
        queryset = build()
        cache[key] = _prepare(queryset, args)
        if cache[key] is None:
            return list(queryset)
    prepared = cache[key]
    if prepared is None:
        return list(build())
    with cursor() as hot:
        hot.execute(prepared.sql, [*prepared.fixed, *args])
        rows: Any = hot.fetchall()
    if prepared.converters:
        rows = prepared.compiler.apply_converters(rows, prepared.converters)
    model = prepared.compiler.query.model
    found = []
    for row in rows:
        instance = model.from_db(db.alias, prepared.names, row[prepared.fields])
        for name, position in prepared.annotations.items():
            setattr(instance, name, row[position])
        found.append(instance)
    return found


def insert_one(instance: Model) -> None:
    """``INSERT`` one new row of a model with an auto-incremented primary key,
    by a statement built once per model and thread (``bulk_create([instance])``
    compiles it on every call); sets the primary key as ``bulk_create`` would.
    """
    model, meta, db = type(instance), instance._meta, connections[DEFAULT_DB_ALIAS]
    if not db.features.can_return_columns_from_insert or not meta.pk.db_returning:
        model.objects.bulk_create([instance])
        return
    cache: dict[tuple[str, str], tuple[str, list[tuple[Field, bool]]]]
    cache = _local.__dict__.setdefault("inserts", {})
    key = (db.alias, meta.label)
    if key not in cache:
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
        cache[key] = (sql, [(f, type(f) in (CharField, TextField)) for f in fields])
    sql, fields = cache[key]
    params = []
    for f, plain in fields:
        # pre_save fills auto_now_add fields on the instance, as an ORM insert does.
        value = getattr(instance, f.attname) if plain else f.pre_save(instance, add=True)
        params.append(value if plain and type(value) is str else f.get_db_prep_save(value, db))
    with cursor() as hot:
        hot.execute(sql, params)
        (pk,) = hot.fetchone()
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = db.alias
