"""The OpenAPI schema is valid, documents every answer code of the alert and
incident endpoints, and the interactive docs are served from local files."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from drf_spectacular.validation import validate_schema

from alerting.engine import Submission, process_submission
from alerting.models import Incident

pytestmark = pytest.mark.django_db

DOCUMENTED = {
    ("/api/v1/alerts", "post"): {"202", "400", "401", "403", "413", "415", "429"},
    ("/api/v1/alerts", "get"): {"200", "400", "401", "403", "404", "429"},
    ("/api/v1/incidents", "get"): {"200", "400", "401", "403", "404", "429"},
    ("/api/v1/incidents/{key}", "get"): {"200", "401", "403", "404", "429"},
}


@pytest.fixture
def schema(db) -> dict:
    response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # raises on any violation of the OpenAPI 3 JSON schema


def test_every_answer_code_is_documented(schema):
    for (path, method), codes in DOCUMENTED.items():
        operation = schema["paths"][path][method]
        assert set(operation["responses"]) == codes, (path, method)
        assert operation["security"] == [{"ApiKey": []}]
        for code in codes - {"200", "202"}:
            assert operation["responses"][code]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Errors"
            }
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"


def test_submission_shapes_are_documented(schema):
    components = schema["components"]["schemas"]
    submission = components["CheckResultSubmission"]["oneOf"]
    assert submission[0] == {"$ref": "#/components/schemas/CheckResultIn"}
    assert submission[1]["type"] == "array"
    fields = set(components["CheckResultIn"]["properties"])
    assert {
        "monitor",
        "status",
        "description",
        "timestamp",
        "idempotency_key",
        "checkpoint",
        "error_type_id",
        "failure_message",
        "check_id",
        "check_url",
        "resolved_ip",
        "server_ipv4",
        "server_ipv6",
        "response_headers",
        "response_body",
        "ssl_valid_until",
        "monitor_name",
        "monitor_url",
        "monitor_type",
        "monitor_notes",
        "custom_fields",
    } == fields
    answer = components["CheckResultAccepted"]["properties"]
    assert {"id", "monitor", "incident", "alerts", "ignored"} == set(answer)


@override_settings(API_MAX_BODY_BYTES=2048, API_RATE_LIMIT_PER_MINUTE=1000)
def test_answers_actually_given_are_the_documented_ones(schema, ingest_client, read_client):
    """Provoke each code for real and look it up in the schema."""
    from rest_framework.test import APIClient

    process_submission(Submission("web", "error", timezone.now(), "d"))
    key = Incident.objects.get().key
    anonymous = APIClient()
    cases = [
        (ingest_client, "post", "/api/v1/alerts", {"monitor": "m", "status": "ok"}, "202"),
        (ingest_client, "post", "/api/v1/alerts", {"monitor": "m"}, "400"),
        (anonymous, "post", "/api/v1/alerts", {"monitor": "m", "status": "ok"}, "401"),
        (ingest_client, "post", "/api/v1/alerts", {"monitor": "m", "description": "x" * 3000}, "413"),
        (read_client, "get", "/api/v1/alerts", None, "200"),
        (read_client, "get", "/api/v1/alerts?type=Nope", None, "400"),
        (ingest_client, "get", "/api/v1/alerts", None, "403"),
        (read_client, "get", "/api/v1/alerts?page=5", None, "404"),
        (read_client, "get", "/api/v1/incidents", None, "200"),
        (read_client, "get", "/api/v1/incidents?status=x", None, "400"),
        (anonymous, "get", "/api/v1/incidents", None, "401"),
        (read_client, "get", f"/api/v1/incidents/{key}", None, "200"),
        (read_client, "get", "/api/v1/incidents/nope", None, "404"),
    ]
    for client, method, url, body, code in cases:
        response = client.post(url, body, format="json") if method == "post" else client.get(url)
        assert str(response.status_code) == code, (url, response.content)
        template = re.sub(r"/incidents/[^/?]+", "/incidents/{key}", url.split("?")[0])
        assert code in schema["paths"][template][method]["responses"]
    unsupported = ingest_client.post("/api/v1/alerts", "x", content_type="text/plain")
    assert unsupported.status_code == 415


def test_swagger_ui_is_served_from_local_static_files(db):
    client = Client()
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/api/schema/" in html
    assets = re.findall(r'(?:src|href)="([^"]*drf_spectacular_sidecar[^"]*)"', html)
    assert assets, html
    assert not any(a.startswith("http") for a in assets)
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
