"""Fuzz the whole API from its own OpenAPI schema: no 5xx, every answer
documented, every error in the ``{"errors": …}`` shape.

Schemathesis generates requests (valid and invalid, NUL bytes included) for
every operation in /api/schema/ and sends them in-process to the WSGI
application with an admin key. CI runs it on SQLite and on PostgreSQL (whose
text columns refuse NUL). The number of examples per operation is small so
that a CI run stays within about a minute and a half; each run draws new
examples.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, status_code_conformance
from schemathesis.generation.modes import GenerationMode

from alerting.models import ApiKey

# Examples per operation (FUZZ_MAX_EXAMPLES for a longer hunt); the default
# keeps this file within about a minute and a half per CI run (bin/test runs
# it on SQLite and again on PostgreSQL, where NUL bytes matter).
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "25"))


def load_schema() -> schemathesis.BaseSchema:
    # Generated from the code, as /api/schema/ serves it, at collection time
    # so that every operation becomes its own test.
    generated = SchemaGenerator().get_schema(request=None, public=True)
    raw = json.loads(OpenApiJsonRenderer().render(generated))
    loaded = schemathesis.openapi.from_dict(raw)
    loaded.app = WSGIHandler()
    # Said explicitly, so a change of schemathesis' defaults cannot narrow the
    # run: valid and invalid data, and NUL characters in every string.
    loaded.config.generation.update(modes=list(GenerationMode), allow_x00=True)
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


@schemathesis.check
def error_answers_have_the_api_shape(ctx: Any, response: Any, case: schemathesis.Case) -> bool | None:
    """Every 4xx/5xx under /api/ is JSON ``{"errors": {...}}``, never Django's HTML page."""
    if response.status_code < 400 or not case.path.startswith("/api/"):
        return None
    content_type = (response.headers.get("content-type") or [""])[0]
    assert content_type.startswith("application/json"), f"{response.status_code} answered {content_type}"
    body = json.loads(response.content)
    assert isinstance(body, dict) and set(body) == {"errors"} and body["errors"], body
    return True


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
        checks=[not_a_server_error, status_code_conformance, error_answers_have_the_api_shape],
    )
