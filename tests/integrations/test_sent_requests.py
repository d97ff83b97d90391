"""Test output shows the request as sent (the headers the HTTP client adds
too) and a failed connection in one line a person reads, with the detail
behind it (issue 15)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import requests

from integrations.sending import preview, send_test
from integrations.transports import http
from integrations.transports.base import TransportError
from integrations.transports.redact import Redactor
from tests.integrations.test_webhook import custom

pytestmark = pytest.mark.django_db


def test_a_sent_request_shows_the_headers_the_receiver_got(receiver) -> None:
    receiver.expect_request("/in", method="POST").respond_with_data("ok")
    integration = custom(
        receiver.url_for("/in"), auth_type="basic", auth_username="ops", auth_password="pw-1234"
    )
    [exchange] = send_test(integration, "Alert")
    got = receiver.log[-1][0].headers
    shown = exchange.request["headers"]
    assert next(iter(shown)) == "Host"
    for name in ("Host", "User-Agent", "Accept-Encoding", "Accept", "Connection", "Content-Length"):
        assert shown[name] == got[name], name
    assert shown["Content-Length"] == str(len(receiver.log[-1][0].get_data()))
    assert shown["User-Agent"].startswith("python-requests/")
    assert shown["Authorization"] == "Basic ********"  # made by the client from the step's credentials
    assert shown["X-Token"] == "********"
    assert "pw-1234" not in str(exchange) and "tok-999" not in str(exchange)


def test_a_preview_shows_the_same_headers_and_sends_nothing(receiver) -> None:
    integration = custom(receiver.url_for("/in"))
    [previewed] = preview(integration, "Alert")
    assert receiver.log == []
    receiver.expect_request("/in").respond_with_data("ok")
    [sent] = send_test(integration, "Alert")
    differ = {"Idempotency-Key"}  # a new test message id each time
    assert {k: v for k, v in previewed.request["headers"].items() if k not in differ} == {
        k: v for k, v in sent.request["headers"].items() if k not in differ
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_connection_refused_in_one_line(receiver) -> None:
    port = free_port()
    with pytest.raises(TransportError) as caught:
        send_test(custom(f"http://127.0.0.1:{port}/in"), "Alert")
    [exchange] = caught.value.exchanges
    assert exchange.summary == f"connection refused by 127.0.0.1:{port}"
    assert "Connection refused" in exchange.error and "NewConnectionError" in exchange.error
    assert exchange.detail == exchange.error
    assert exchange.request["headers"]["Host"] == f"127.0.0.1:{port}"


@pytest.fixture
def unanswered() -> Iterator[int]:
    """A port whose listen queue is full: the kernel drops further SYNs, so a
    connection attempt waits until its timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    yield port
    for s in [*fillers, listener]:
        s.close()


def test_connect_timeout_in_one_line(receiver, unanswered: int) -> None:
    integration = custom(f"http://127.0.0.1:{unanswered}/in")
    integration.connect_timeout = 0.5
    integration.save()
    with pytest.raises(TransportError) as caught:
        send_test(integration, "Alert")
    [exchange] = caught.value.exchanges
    assert exchange.summary == "timed out after 0.5 s connecting to 127.0.0.1"
    assert exchange.error == "Timed out" and "ConnectTimeout" in exchange.detail


def test_read_timeout_in_one_line(receiver) -> None:
    import time

    def slow(request):  # type: ignore[no-untyped-def]
        time.sleep(1.0)
        from werkzeug import Response

        return Response("late")

    receiver.expect_request("/slow").respond_with_handler(slow)
    integration = custom(receiver.url_for("/slow"))
    integration.read_timeout = 0.3
    integration.save()
    with pytest.raises(TransportError) as caught:
        send_test(integration, "Alert")
    assert caught.value.exchanges[0].summary.startswith("no answer from localhost within 0.3 s")


def test_a_name_that_does_not_resolve(settings) -> None:
    settings.OUTBOUND_ALLOWLIST = []
    with pytest.raises(TransportError) as caught:
        send_test(custom("https://no-such-host.invalid/in"), "Alert")
    assert caught.value.exchanges[0].summary == "name not resolved: no-such-host.invalid"
    # Through a plain session the library's own resolver error says the same.
    exchanges: list = []
    with pytest.raises(TransportError):
        http.request(
            requests.Session(),
            "GET",
            "http://no-such-host.invalid:8042/x",
            redactor=Redactor(),
            exchanges=exchanges,
            timeout=(2, 2),
        )
    assert exchanges[0].summary == "name not resolved: no-such-host.invalid"


def test_the_command_and_the_api_show_the_line_and_the_detail(receiver, db) -> None:
    import io

    from django.core.management import CommandError, call_command
    from rest_framework.test import APIClient

    from alerting.models import ApiKey

    port = free_port()
    integration = custom(f"http://127.0.0.1:{port}/in")
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("send_test_alert", str(integration.pk), stdout=out, stderr=io.StringIO())
    assert str(caught.value) == (
        f"The receiver refused the test alert (temporary): connection refused by 127.0.0.1:{port}"
    )
    text = out.getvalue()
    assert f"! connection refused by 127.0.0.1:{port}\n  (Connection failed: ConnectionError" in text
    assert "> User-Agent: python-requests/" in text and "> Content-Length: " in text

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {ApiKey.generate('k', 'admin')[1]}")
    answer = client.post(f"/api/v1/integrations/{integration.pk}/test", {}, format="json")
    assert answer.status_code == 502
    body = answer.json()
    assert body["errors"]["detail"] == [
        f"The receiver refused the test alert: connection refused by 127.0.0.1:{port}"
    ]
    [exchange] = body["exchanges"]
    assert exchange["summary"] == f"connection refused by 127.0.0.1:{port}"
    assert "Connection refused" in exchange["error"] and exchange["detail"] == exchange["error"]
    assert exchange["request"]["headers"]["Host"] == f"127.0.0.1:{port}"
