"""alertsite.pg_arrays: the faster array dumper writes exactly what psycopg's
own does, and PostgreSQL connections use it (so bulk_create's UNNEST arrays
of JSON and text round-trip unchanged)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from psycopg.adapt import PyFormat, Transformer
from psycopg.types.array import ListDumper

from alerting.models import Monitor
from alertsite.pg_arrays import FastListDumper

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
