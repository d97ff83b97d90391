"""Fuzz the whole API from its own OpenAPI schema: no 5xx, every answer documented.

Schemathesis generates requests (valid and invalid) for every operation in
/api/schema/ and sends them in-process to the WSGI application. The number
of examples per operation is small so that a CI run stays within about two
minutes; each run draws new examples.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, status_code_conformance

from alerting.models import ApiKey

MAX_EXAMPLES = 12


def load_schema() -> schemathesis.BaseSchema:
    # Generated from the code, as /api/schema/ serves it, at collection time
    # so that every operation becomes its own test.
    generated = SchemaGenerator().get_schema(request=None, public=True)
    raw = json.loads(OpenApiJsonRenderer().render(generated))
    loaded = schemathesis.openapi.from_dict(raw)
    loaded.app = WSGIHandler()
    return loaded


schema = load_schema()


@pytest.fixture(autouse=True)
def keep_connection_open(db) -> Iterator[None]:
    # The application closes the database connection at the end of each
    # request; inside the test's transaction it must stay open (as Django's
    # own test client arranges).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_schema_served_is_the_one_fuzzed(client) -> None:
    served = client.get("/api/schema/", {"format": "json"}).json()
    assert set(served["paths"]) == set(schema.raw_schema["paths"])
    assert len(served["paths"]) >= 10


@pytest.fixture
def admin_key(db) -> str:
    _, raw = ApiKey.generate("fuzz", "admin")
    return raw


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=False,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_are_documented_and_never_5xx(case: schemathesis.Case, admin_key: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {admin_key}"},
        checks=[not_a_server_error, status_code_conformance],
    )
