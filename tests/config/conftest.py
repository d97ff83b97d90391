from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from alerting.models import ApiKey


class Api:
    """An API client holding one key; every answer is kept so tests can scan
    all of them (e.g. for secrets that must never come back)."""

    def __init__(self, raw_key: str) -> None:
        self.client = APIClient()
        self.client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
        self.bodies: list[str] = []

    def call(self, method: str, path: str, data: Any = None) -> Any:
        kwargs: dict[str, Any] = {}
        if data is not None:
            kwargs = {"data": json.dumps(data), "content_type": "application/json"}
        response = getattr(self.client, method)(f"/api/v1/{path}", **kwargs)
        self.bodies.append(response.content.decode())
        return response

    def get(self, path: str) -> Any:
        return self.call("get", path)

    def post(self, path: str, data: Any) -> Any:
        return self.call("post", path, data)

    def put(self, path: str, data: Any) -> Any:
        return self.call("put", path, data)

    def patch(self, path: str, data: Any) -> Any:
        return self.call("patch", path, data)

    def delete(self, path: str) -> Any:
        return self.call("delete", path)


@pytest.fixture
def keys(db) -> dict[str, str]:
    return {scope: ApiKey.generate(f"{scope} key", scope)[1] for scope in ("ingest", "read", "admin")}


@pytest.fixture
def api(keys) -> Api:
    return Api(keys["admin"])


@pytest.fixture
def read_api(keys) -> Api:
    return Api(keys["read"])


@pytest.fixture
def ingest_api(keys) -> Api:
    return Api(keys["ingest"])
