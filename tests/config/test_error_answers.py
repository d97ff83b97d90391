"""What a schema-driven fuzz run found (issue 12), each as a plain test:
every answer under /api/ is a 2xx/3xx or a 4xx with the ``{"errors": …}``
shape, never a 500 or an HTML page."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from alerting.api import errors
from alerting.models import Monitor
from integrations.models import Integration
from tests.config.conftest import Api

NUL_URLS = [
    "alerts?monitor=%00",
    "alerts?%00=1",
    "incidents?monitor=x%00y",
    "incidents/%00",
    "monitors/%00",
    "monitors/a%00b",
    "messages?integration=%00",
    "operators?page=%00",
]


def assert_error_shape(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"errors"} and body["errors"], body
    return body["errors"]


@pytest.mark.parametrize("path", NUL_URLS)
def test_a_nul_in_a_query_or_path_parameter_is_a_400(api: Api, path: str) -> None:
    for method in ("get", "delete"):
        found = assert_error_shape(getattr(api, method)(path), 400)
        assert "NUL" in str(found)


def test_the_nul_error_names_the_parameter(api: Api) -> None:
    assert api.get("alerts?monitor=%00").json() == {
        "errors": {"monitor": ["Must not contain a NUL character (%00)."]}
    }


def test_a_nul_in_a_json_string_is_a_field_error(api: Api) -> None:
    found = assert_error_shape(api.post("monitors", {"key": "m", "name": "a\x00b"}), 400)
    assert list(found) == ["name"]
    found = assert_error_shape(
        api.post("alerts", [{"monitor": "m", "status": "ok", "checkpoint": "\x00"}]), 400
    )
    assert list(found) == ["0"] and list(found["0"]) == ["checkpoint"]
    assert not Monitor.objects.filter(key="m").exists()


def test_outside_the_api_a_nul_is_a_plain_400(staff_client: Client) -> None:
    response = staff_client.get("/admin/alerting/monitor/?q=%00")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/")


CREATES = [
    ("operators", {"full_name": "Ada", "email": "ada@example.com"}),
    ("operator-groups", {"name": "Team"}),
    ("monitors", {"key": "web-1", "name": "Web", "url": "https://example.com/a\r\nX-Injected: 1"}),
    ("monitor-groups", {"name": "Sites"}),
    ("maintenance-periods", {"mode": "daily", "start_time": "02:00", "end_time": "03:00"}),
    ("alert-definitions", {"name": "Definition"}),
    ("integrations", {"name": "Hook", "kind": "webhook"}),
]


@pytest.mark.parametrize(("path", "body"), CREATES, ids=[c[0] for c in CREATES])
def test_location_is_the_created_resource(api: Api, path: str, body: dict) -> None:
    if path == "maintenance-periods":
        body = {**body, "monitor": api.post("monitors", {"key": "db-1", "name": "Db"}).json()["id"]}
    created = api.post(path, body)
    assert created.status_code == 201, created.content
    location = created["Location"]
    assert location == f"http://testserver/api/v1/{path}/{created.json()['id']}"
    again = api.get(location.removeprefix("http://testserver/api/v1/"))
    assert again.status_code == 200
    assert again.json()["id"] == created.json()["id"]


def test_a_level_link_without_its_integration_is_the_same_400_for_patch_and_put(api: Api) -> None:
    definition = api.post("alert-definitions", {"name": "D"}).json()
    levels = [{"number": 1, "integrations": [{"is_active": True}]}]
    patched = api.patch(f"alert-definitions/{definition['id']}", {"levels": levels})
    put = api.put(f"alert-definitions/{definition['id']}", {"name": "D", "levels": levels})
    expected = {"levels": {"0": {"integrations": {"0": {"integration": ["This field is required."]}}}}}
    assert assert_error_shape(patched, 400) == expected
    assert assert_error_shape(put, 400) == expected


@pytest.mark.parametrize(
    "path",
    [
        "integrations/not-a-uuid",
        "integrations/not-a-uuid/test",
        "messages/abc/retry",
        "no-such-resource",
        "monitors/",
    ],
)
def test_unmatched_paths_under_the_api_are_json_404s(api: Api, path: str) -> None:
    assert_error_shape(api.get(path), 404)


def test_a_wrong_method_is_a_json_405(api: Api) -> None:
    assert_error_shape(api.delete("alerts"), 405)


def test_django_error_views_answer_json_under_the_api_only() -> None:
    factory = RequestFactory()
    api_request, site_request = factory.get("/api/v1/monitors"), factory.get("/admin/")
    for response in (errors.server_error(api_request), errors.page_not_found(api_request, Exception())):
        assert response["Content-Type"] == "application/json"
        assert response.status_code in (404, 500)
        assert b'{"errors":{"detail":' in response.content
    assert errors.server_error(site_request)["Content-Type"].startswith("text/html")
    assert errors.page_not_found(site_request, Exception())["Content-Type"].startswith("text/html")


def test_an_unknown_status_names_the_allowed_values(api: Api) -> None:
    found = assert_error_shape(api.post("alerts", {"monitor": "web", "status": "bad"}), 400)
    assert found == {"status": ['Must be "error" or "ok", not "bad".']}
    found = assert_error_shape(api.post("alerts", {"monitor": "web"}), 400)
    assert found == {"status": ['This field is required: "error" or "ok".']}


@pytest.mark.parametrize(
    ("body", "missing"),
    [
        ({"name": "PD", "kind": "pagerduty"}, ["RoutingKey"]),
        ({"name": "Slack", "kind": "slack"}, ["WebhookUrl"]),
        ({"name": "Texts", "kind": "sms"}, ["TwilioAccountSid", "TwilioAuthToken", "FromNumber"]),
        ({"name": "Calls", "kind": "phone"}, ["TwilioAccountSid", "TwilioAuthToken", "FromNumber"]),
    ],
)
def test_an_integration_missing_a_required_value_is_not_saved(api: Api, body: dict, missing: list) -> None:
    found = assert_error_shape(api.post("integrations", body), 400)
    assert list(found) == ["variables"]
    for name in missing:
        assert any(message.startswith(f"{name} needs a value") for message in found["variables"])
    assert not Integration.objects.filter(name=body["name"]).exists()


def test_required_values_are_checked_when_an_integration_is_turned_on(api: Api) -> None:
    # Saved inactive it sends nothing, so it may be filled in later ...
    created = api.post("integrations", {"name": "PD", "kind": "pagerduty", "is_active": False})
    assert created.status_code == 201, created.content
    path = f"integrations/{created.json()['id']}"
    # ... but it is not turned on without its routing key,
    assert "RoutingKey" in str(assert_error_shape(api.patch(path, {"is_active": True}), 400))
    assert not Integration.objects.get(name="PD").is_active
    # and it is with one.
    routing = [{"name": "RoutingKey", "is_secret": True, "secret_value": "R0UT1NGKEY0123456789abcdef0123456"}]
    turned_on = api.patch(path, {"is_active": True, "variables": routing})
    assert turned_on.status_code == 200, turned_on.content
    # A complete integration is created active at once.
    complete = api.post("integrations", {"name": "PD 2", "kind": "pagerduty", "variables": routing})
    assert complete.status_code == 201, complete.content


def test_an_idempotency_key_with_a_nul_is_a_400(api: Api) -> None:
    response = api.client.post(
        "/api/v1/alerts",
        {"monitor": "web", "status": "ok"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="retry\x00-1",
    )
    assert assert_error_shape(response, 400) == {"Idempotency-Key": ["Must not contain control characters."]}
    assert not Monitor.objects.filter(key="web").exists()
