"""The ingest path's hottest statements, as plain SQL built once.

Compiling a queryset costs Python time on every call; for the lock query of a
single submission it cost more than running it, and the API key lookup was
not far behind. The few statements every request runs are therefore written
as SQL from the models' metadata, once per process, and their rows turned into
model instances with ``Model.from_db`` and the fields' ``from_db_value``, as
the ORM does. Public APIs only: Django's cursor, the model and field API.

They run on the database backend's ``hot_cursor()`` where it has one: ours
for PostgreSQL (``alertsite.db.postgresql``) prepares them on kept
connections, which is the one part that needs psycopg's and Django's
internals, so it lives in the backend with its test. Elsewhere: Django's
cursor.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import CharField, Field, Model, TextField

from alertsite.db.columns import concrete_field, concrete_fields

M = TypeVar("M", bound=Model)

# A statement over more rows than this (an IN list of many ids) differs in text
# with its row count: building or preparing each variant would not pay.
FEW = 4


@contextmanager
def cursor() -> Iterator[Any]:
    """A cursor for the hot statements (``execute``, ``fetchone``, ``fetchall``)."""
    db = connections[DEFAULT_DB_ALIAS]  # once: each use of the proxy looks it up again
    hot = getattr(db, "hot_cursor", None)
    with hot() if hot is not None else db.cursor() as found:
        yield found


def _columns(model: type[Model], db: Any) -> tuple[str, list[Field]]:
    meta = model._meta
    table = db.ops.quote_name(meta.db_table)
    fields = concrete_fields(model)
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
        fields = [f for f in concrete_fields(model) if f is not meta.pk]
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
