"""Compile-once ORM queries for the hottest paths of the ingest API.

Compiling a queryset to SQL costs Python time on every call; for the lock
query of a single submission (two subqueries) it cost more than running it,
and the API key lookup was not far behind. A query whose SQL depends only on
its shape (its parameters differ, nothing else) is compiled once per thread
and shape, and its rows are turned into model instances the way the ORM's own
iterator does (``Model.from_db``, the fields' converters, annotations set as
attributes).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model, QuerySet

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


# Per thread, as Django's connections are: a compiled query keeps its
# thread's connection for the value converters.
_local = threading.local()


def _prepare(queryset: QuerySet[Any], args: Sequence[Any]) -> _Prepared | None:
    compiler = queryset.query.get_compiler(using=connection.alias)
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
    cache: dict[tuple[str, str], _Prepared | None] = _local.__dict__.setdefault("prepared", {})
    key = (connection.alias, shape)
    if key not in cache:
        queryset = build()
        cache[key] = _prepare(queryset, args)
        if cache[key] is None:
            return list(queryset)
    prepared = cache[key]
    if prepared is None:
        return list(build())
    with connection.cursor() as cursor:
        cursor.execute(prepared.sql, [*prepared.fixed, *args])
        rows: Any = cursor.fetchall()
    if prepared.converters:
        rows = prepared.compiler.apply_converters(rows, prepared.converters)
    model = prepared.compiler.query.model
    found = []
    for row in rows:
        instance = model.from_db(connection.alias, prepared.names, row[prepared.fields])
        for name, position in prepared.annotations.items():
            setattr(instance, name, row[position])
        found.append(instance)
    return found


def insert_one(instance: Model) -> None:
    """``INSERT`` one new row of a model with an auto-incremented primary key,
    by a statement built once per model and thread (``bulk_create([instance])``
    compiles it on every call); sets the primary key as ``bulk_create`` would.
    """
    model, meta = type(instance), instance._meta
    if not connection.features.can_return_columns_from_insert or not meta.pk.db_returning:
        model.objects.bulk_create([instance])
        return
    fields = [f for f in meta.concrete_fields if f is not meta.pk]
    cache: dict[tuple[str, str], str] = _local.__dict__.setdefault("inserts", {})
    key = (connection.alias, meta.label)
    if key not in cache:
        ops = connection.ops
        columns = ", ".join(ops.quote_name(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        cache[key] = (
            f"INSERT INTO {ops.quote_name(meta.db_table)} ({columns}) VALUES ({marks}) "  # noqa: S608
            f"RETURNING {ops.quote_name(meta.pk.column)}"
        )
    # pre_save fills auto_now_add fields on the instance, as an ORM insert does.
    params = [f.get_db_prep_save(f.pre_save(instance, add=True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(cache[key], params)
        (pk,) = cursor.fetchone()
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = connection.alias
