"""The issue's "done when": a script using only the API sets up operators, a
group, two monitors, an integration from a preset and an alert definition with
two levels, submits errors and the messages arrive at a local receiver; then
export_config and apply_config round-trip that configuration."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from pytest_httpserver import HTTPServer

from alerting.configfile.export import build_document
from integrations.delivery import worker
from tests.config.configdata import make_fresh
from tests.config.conftest import Api

# Committed data: delivery sends from its own threads and connections.
pytestmark = pytest.mark.django_db(transaction=True)

HOOK_PATH = "/hooks/secret-hook-path-84c1"


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    # An address, not "localhost": outbound calls are pinned to one resolved address.
    return ("127.0.0.1", 0)


@pytest.fixture(autouse=True)
def loopback(settings):  # type: ignore[no-untyped-def]
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1", "localhost", "::1"]
    settings.DELIVERY_LINGER_SECONDS = 0
    return settings


def created(response) -> str:
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_configure_through_the_api_then_alerts_reach_the_receiver(keys, httpserver: HTTPServer, tmp_path):
    # Start as a newly migrated database does (an earlier transactional test may have emptied it).
    make_fresh()
    httpserver.expect_request(HOOK_PATH, method="POST").respond_with_data("ok")
    admin, ingest = Api(keys["admin"]), Api(keys["ingest"])

    # The default definition e-mails Everyone; this script alerts through its own.
    for definition in admin.get("alert-definitions").json()["results"]:
        assert admin.patch(f"alert-definitions/{definition['id']}", {"is_active": False}).status_code == 200

    alice = created(admin.post("operators", {"full_name": "Alice", "email": "alice@example.com"}))
    bob = created(
        admin.post(
            "operators", {"full_name": "Bob", "email": "bob@example.com", "mobile_phone": "+14155550100"}
        )
    )
    team = created(admin.post("operator-groups", {"name": "Web team", "members": [alice, bob]}))
    created(admin.post("monitors", {"key": "shop", "name": "Shop"}))
    created(admin.post("monitors", {"key": "api", "name": "Public API"}))
    chat = created(
        admin.post(
            "integrations",
            {
                "name": "Team chat",
                "preset": "mattermost",
                "variables": [
                    {"name": "WebhookUrl", "is_secret": True, "secret_value": httpserver.url_for(HOOK_PATH)}
                ],
            },
        )
    )
    definition = admin.post(
        "alert-definitions",
        {
            "name": "Web shop",
            "monitors": ["shop", "api"],
            "levels": [
                {
                    "number": 1,
                    "threshold": 1,
                    "operator_groups": [team],
                    "integrations": [{"integration": chat}],
                },
                {"number": 2, "threshold": 2, "operators": [bob], "integrations": [{"integration": chat}]},
            ],
        },
    )
    assert definition.status_code == 201, definition.content
    assert [level["number"] for level in definition.json()["levels"]] == [1, 2]

    # Errors: two for the shop (levels 1 and 2), one for the API (level 1).
    for monitor in ("shop", "shop", "api"):
        answer = ingest.post(
            "alerts", {"monitor": monitor, "status": "error", "description": f"{monitor} is down"}
        )
        assert answer.status_code == 202, answer.content

    worker.deliver()
    bodies = [json.loads(request.get_data()) for request, _ in httpserver.log]
    texts = [json.dumps(body) for body in bodies]
    assert len(bodies) == 3, texts
    assert sum("Shop" in text for text in texts) == 2
    assert sum("Public API" in text for text in texts) == 1

    # The hook URL is a secret: no API answer ever showed it.
    assert not any(HOOK_PATH in body for body in admin.bodies + ingest.bodies)

    # export_config and apply_config round-trip this configuration.
    path = tmp_path / "config.yaml"
    call_command("export_config", "--output", str(path), "--include-secrets", stderr=io.StringIO())
    before = build_document(include_secrets=True)
    make_fresh()
    call_command("apply_config", str(path), stdout=io.StringIO())
    assert build_document(include_secrets=True) == before
    again = io.StringIO()
    call_command("apply_config", str(path), stdout=again)
    assert again.getvalue() == "No changes.\n"
