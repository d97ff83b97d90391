from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from alerting.models import ApiKey

pytestmark = pytest.mark.django_db


def client_for(scope: str) -> APIClient:
    _, raw = ApiKey.generate(f"{scope} key", scope)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_variables_needs_read_scope() -> None:
    assert APIClient().get("/api/v1/variables").status_code == 401
    assert client_for("ingest").get("/api/v1/variables").status_code == 403
    response = client_for("read").get("/api/v1/variables")
    assert response.status_code == 200
    items = response.json()["variables"]
    assert sum(i["kind"] == "variable" for i in items) == 38
    by_name = {i["name"]: i for i in items}
    assert by_name["@alert.firstErrorUtc"]["time_form"] == "UTC"
    assert by_name["@CustomField(name)"]["token"] == "{{@CustomField(ComponentId)}}"


def test_test_send_delivers_and_redacts(make_preset, receiver) -> None:
    receiver.expect_request("/in").respond_with_data("thanks")
    integration = make_preset("uptrends", {"ApiUrl": receiver.url_for("/in")})
    url = f"/api/v1/integrations/{integration.pk}/test"
    assert client_for("read").post(url, {}, format="json").status_code == 403
    response = client_for("admin").post(url, {"type": "Reminder", "level": 3}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["delivered"] is True and data["exchanges"][0]["status"] == 200
    body = json.loads(receiver.log[-1][0].get_data())
    assert body["alert"]["type"] == "Reminder" and body["escalationLevel"]["id"] == "3"


def test_test_send_refused_is_502_with_the_exchange(make_preset, receiver) -> None:
    receiver.expect_request("/in").respond_with_data("nope", status=422)
    integration = make_preset("uptrends", {"ApiUrl": receiver.url_for("/in")})
    response = client_for("admin").post(f"/api/v1/integrations/{integration.pk}/test", {}, format="json")
    assert response.status_code == 502
    data = response.json()
    assert (
        data["permanent"] is True
        and data["exchanges"][0]["status"] == 422
        and "HTTP 422" in str(data["errors"])
    )


def test_test_send_bad_input_and_misconfiguration(make_preset) -> None:
    integration = make_preset("uptrends", {})
    admin = client_for("admin")
    url = f"/api/v1/integrations/{integration.pk}/test"
    response = admin.post(url, {"type": "Error", "level": 0}, format="json")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"type", "level"}
    response = admin.post(url, {}, format="json")
    assert response.status_code == 400 and "ApiUrl" in str(response.json()["errors"]["integration"])
    missing = "/api/v1/integrations/00000000-0000-0000-0000-000000000000/test"
    assert admin.post(missing, {}, format="json").status_code == 404
