"""The outbound rules (integrations.outbound) are enforced when an integration is saved and again when sent.

The table of hostile URLs against the session itself is in tests/delivery/test_outbound.py;
here the same rules are proven at the places operator input comes in.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from pytest_httpserver import HTTPServer
from rest_framework.test import APIClient

from alerting.models import ApiKey
from integrations.delivery import worker
from integrations.models import (
    Integration,
    IntegrationStep,
    IntegrationVariable,
    MessageStatus,
    StatusHubService,
)
from integrations.validation import level_value_errors
from tests.delivery import factories

HOSTILE = [
    "http://127.0.0.1/hook",
    "http://localhost:8000/admin/",
    "http://[::1]/",
    "http://10.0.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://[::ffff:127.0.0.1]/",
    "http://2130706433/",
    "http://0177.0.0.1/",
    "https://internal.example.test/hook",  # resolves to a private address (below)
    "file:///etc/passwd",
    "gopher://example.com/",
]

DNS: dict[str, list[str]] = {
    "internal.example.test": ["10.20.30.40"],
    "public.example.test": ["93.184.215.14"],
}


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Names under .test are outside this machine's DNS; answer for some of them."""
    real = socket.getaddrinfo
    answers = {name: list(ips) for name, ips in DNS.items()}

    def getaddrinfo(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        name = host.lower().rstrip(".") if isinstance(host, str) else host
        if name in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port or 80)) for ip in answers[name]]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


@pytest.fixture(autouse=True)
def no_allowlist(settings) -> None:  # type: ignore[no-untyped-def]
    settings.OUTBOUND_ALLOWLIST = []


def step_for(url: str) -> IntegrationStep:
    integration = Integration.objects.create(name=f"Hook {Integration.objects.count()}", kind="webhook")
    return IntegrationStep(integration=integration, url=url)


@pytest.mark.django_db
@pytest.mark.parametrize("url", HOSTILE)
def test_step_url_is_refused_when_saved(url: str) -> None:
    with pytest.raises(ValidationError) as raised:
        step_for(url).full_clean()
    assert "url" in raised.value.message_dict
    # With a placeholder after the host the host is still checked.
    if url.startswith("http") and url.count("/") >= 3:
        with pytest.raises(ValidationError):
            step_for(url.rstrip("/") + "/{{@alert.type}}").full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize("url", [u for u in HOSTILE if u.startswith("http")])
def test_variable_values_and_statushub_urls_are_refused_when_saved(url: str) -> None:
    integration = Integration.objects.create(name="Hook", kind="webhook")
    for secret in (False, True):
        variable = IntegrationVariable(
            integration=integration,
            name="Target",
            is_secret=secret,
            value="" if secret else url,
            secret_value=url if secret else "",
        )
        with pytest.raises(ValidationError) as raised:
            variable.full_clean()
        assert ("secret_value" if secret else "value") in raised.value.message_dict
    service = StatusHubService(integration=integration, name="Web", webhook_url=url)
    with pytest.raises(ValidationError) as raised:
        service.full_clean()
    assert "webhook_url" in raised.value.message_dict
    assert level_value_errors(integration, {"Target": url})


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "https://public.example.test/hook",
        "{{Target}}",
        "https://{{Host}}/hook",
        "https://api.{{Region}}.example.test/",
        # Not resolvable now: accepted, and checked again when sent.
        "https://not-yet-in-dns.invalid/hook",
    ],
)
def test_acceptable_urls_are_saved(url: str) -> None:
    step = step_for(url)
    step.known_variable_names = {"Target", "Host", "Region"}  # type: ignore[attr-defined]
    step.full_clean(exclude=["integration"])


@pytest.mark.django_db
def test_allow_list_lets_a_private_receiver_be_saved(settings) -> None:  # type: ignore[no-untyped-def]
    settings.OUTBOUND_ALLOWLIST = ["10.0.0.0/8", "internal.example.test"]
    step_for("http://10.1.2.3/hook").full_clean()
    step_for("https://internal.example.test/hook").full_clean()
    with pytest.raises(ValidationError):
        step_for("http://192.168.1.1/hook").full_clean()


@pytest.mark.django_db
def test_api_refuses_a_private_url_with_a_field_error() -> None:
    _, raw = ApiKey.generate("admin", "admin")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = {
        "name": "Sneaky",
        "kind": "webhook",
        "variables": [{"name": "Base", "value": "http://169.254.169.254"}],
        "steps": [{"name": "Errors", "url": "http://10.0.0.1/hook"}],
    }
    response = api.post("/api/v1/integrations", body, format="json")
    assert response.status_code == 400, response.content
    text = response.content.decode()
    assert "OUTBOUND_ALLOWLIST" in text or "metadata" in text
    assert not Integration.objects.filter(name="Sneaky").exists()
    body["variables"][0]["value"] = "https://public.example.test"
    body["steps"][0]["url"] = "{{Base}}/hook"
    assert api.post("/api/v1/integrations", body, format="json").status_code == 201


@pytest.mark.django_db(transaction=True)
def test_a_name_that_turns_private_after_saving_is_refused_when_sent(
    httpserver: HTTPServer, fake_dns: dict[str, list[str]]
) -> None:
    httpserver.expect_request("/hook").respond_with_data("should not be reached")
    url = f"http://public.example.test:{httpserver.port}/hook"
    step_for(url).full_clean()  # public when saved
    integration = factories.webhook(url)
    [message] = factories.messages(integration)
    # DNS now answers with the machine itself (a rebinding attack).
    fake_dns["public.example.test"] = ["127.0.0.1"]
    worker.deliver([message.id])
    message.refresh_from_db()
    assert message.status != MessageStatus.DELIVERED
    assert "OUTBOUND_ALLOWLIST" in message.error
    assert httpserver.log == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "make_url",
    [
        lambda server: server.url_for("/hook"),  # loopback, not allow-listed
        lambda server: f"http://[::ffff:127.0.0.1]:{server.port}/hook",
        lambda server: f"http://2130706433:{server.port}/hook",
    ],
)
def test_a_stored_hostile_url_is_refused_when_sent(
    httpserver: HTTPServer, make_url: Callable[[HTTPServer], str]
) -> None:
    # Written straight to the database (no validation), as an old row or a raw import would be.
    httpserver.expect_request("/hook").respond_with_data("should not be reached")
    integration = factories.webhook(make_url(httpserver))
    [message] = factories.messages(integration)
    worker.deliver([message.id])
    message.refresh_from_db()
    assert message.status != MessageStatus.DELIVERED
    assert "OUTBOUND_ALLOWLIST" in message.error
    assert httpserver.log == []


@pytest.mark.django_db(transaction=True)
def test_a_redirect_to_a_private_address_is_not_followed(httpserver: HTTPServer, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1", "::1", "localhost"]
    httpserver.expect_request("/hook").respond_with_data(
        "", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
    )
    integration = factories.webhook(httpserver.url_for("/hook"))
    [message] = factories.messages(integration)
    worker.deliver([message.id])
    message.refresh_from_db()
    assert message.status != MessageStatus.DELIVERED
    assert len(httpserver.log) >= 1
    assert all(request.path == "/hook" for request, _ in httpserver.log)
