from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from alerting.models import ApiKey


# Rate-limit counters are keyed by the API key's id, and every test makes its
# own keys, so no test inherits another's counts (and the shared cache is
# never flushed: with Redis that would also empty the task queue).
def client_for(scope: str) -> APIClient:
    _, raw = ApiKey.generate(f"{scope} test key", scope)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def ingest_client(db) -> APIClient:
    return client_for("ingest")


@pytest.fixture
def read_client(db) -> APIClient:
    return client_for("read")


@pytest.fixture
def admin_client_api(db) -> APIClient:
    return client_for("admin")
