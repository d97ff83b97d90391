from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import client_for

PAYLOADS = Path(__file__).parent / "payloads"


def payload(name: str) -> Any:
    """A fresh copy of an example payload (tests change them)."""
    return copy.deepcopy(json.loads((PAYLOADS / f"{name}.json").read_text()))


@pytest.fixture
def ingest_client(db) -> APIClient:
    return client_for("ingest")
