from __future__ import annotations

import socket

import pytest
import requests
from pytest_httpserver import HTTPServer

from integrations.outbound import OutboundURLError, check_url, outbound_session
from tests.delivery import factories

HOSTILE = [
    "http://127.0.0.1/",
    "http://127.0.0.1:8000/admin/",
    "http://localhost/",
    "http://LOCALHOST./",
    "http://[::1]/",
    "http://0.0.0.0/",
    "http://[::]/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://100.100.100.200/",
    "http://[fd00:ec2::254]/",
    "http://[fe80::1]/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[64:ff9b::a00:1]/",
    "http://[2002:7f00:1::]/",
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://0x7f.0.0.1/",
    "http://0x7f000001/",
    "http://017700000001/",
    "http://127.1/",
    "http://internal.example.test/",  # resolves to a private address (below)
    "https://user:pw@10.1.2.3:8443/x",
]

NOT_HTTP = [
    "ftp://example.com/",
    "file:///etc/passwd",
    "gopher://example.com/",
    "//example.com/",
    "http:///x",
]


@pytest.fixture(autouse=True)
def fake_private_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Names under .test are outside this machine's DNS; give some of them answers."""
    real = socket.getaddrinfo
    answers = {
        "internal.example.test": ["10.20.30.40"],
        "mixed.example.test": ["93.184.215.14", "192.168.0.7"],
        "public.example.test": ["93.184.215.14"],
        "receiver.example.test": ["127.0.0.1"],
    }

    def getaddrinfo(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(host, str) and host.lower().rstrip(".") in answers:
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port or 80))
                for ip in answers[host.lower().rstrip(".")]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_urls_are_refused_at_save_time(url: str, settings) -> None:
    settings.OUTBOUND_ALLOWLIST = []
    with pytest.raises(OutboundURLError) as info:
        check_url(url)
    assert isinstance(info.value, ValueError)
    assert "OUTBOUND_ALLOWLIST" in str(info.value) or "metadata" in str(info.value)


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_urls_are_refused_when_sent(url: str, settings, httpserver: HTTPServer) -> None:
    settings.OUTBOUND_ALLOWLIST = []
    httpserver.expect_request("/").respond_with_data("should not be reached")
    with pytest.raises(OutboundURLError):
        outbound_session().get(url)
    assert httpserver.log == []


@pytest.mark.parametrize("url", NOT_HTTP)
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(OutboundURLError):
        check_url(url)


def test_a_name_with_any_private_address_is_refused(settings) -> None:
    settings.OUTBOUND_ALLOWLIST = []
    with pytest.raises(OutboundURLError, match=r"192\.168\.0\.7"):
        check_url("https://mixed.example.test/hook")
    check_url("https://public.example.test/hook")


def test_loopback_is_refused_until_allow_listed(settings, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    settings.OUTBOUND_ALLOWLIST = []
    with pytest.raises(OutboundURLError):
        outbound_session().post(factories.local(httpserver, "/hook"), json={"a": 1})
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    response = outbound_session().post(factories.local(httpserver, "/hook"), json={"a": 1})
    assert response.status_code == 200
    assert response.text == "ok"
    assert len(httpserver.log) == 1


def test_allow_list_takes_networks(settings, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook").respond_with_data("ok")
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.0/8"]
    assert outbound_session().get(factories.local(httpserver, "/hook")).status_code == 200
    settings.OUTBOUND_ALLOWLIST = ["10.0.0.0/8"]
    with pytest.raises(OutboundURLError):
        outbound_session().get(factories.local(httpserver, "/hook"))


def test_connection_is_pinned_and_host_header_keeps_the_name(settings, httpserver: HTTPServer) -> None:
    # The name resolves (once, in the check) to the receiver's address; the
    # request must reach that address while carrying the name as Host.
    settings.OUTBOUND_ALLOWLIST = ["receiver.example.test"]
    httpserver.expect_request("/pinned").respond_with_data("pinned")
    url = f"http://receiver.example.test:{httpserver.port}/pinned"
    response = outbound_session().get(url)
    assert response.text == "pinned"
    request, _ = httpserver.log[0]
    assert request.headers["Host"] == f"receiver.example.test:{httpserver.port}"


def test_redirects_are_not_followed(settings, httpserver: HTTPServer) -> None:
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    httpserver.expect_request("/go").respond_with_data(
        "", status=302, headers={"Location": "http://10.0.0.1/secret"}
    )
    httpserver.expect_request("/local").respond_with_data(
        "", status=307, headers={"Location": factories.local(httpserver, "/again")}
    )
    httpserver.expect_request("/again").respond_with_data("followed")
    session = outbound_session()
    first = session.get(factories.local(httpserver, "/go"))
    assert first.status_code == 302
    second = session.post(factories.local(httpserver, "/local"), data="x", allow_redirects=True)
    assert second.status_code == 307
    assert [r.path for r, _ in httpserver.log] == ["/go", "/local"]


def test_proxy_environment_is_ignored(settings, monkeypatch, httpserver: HTTPServer) -> None:
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    monkeypatch.setenv("HTTP_PROXY", "http://10.9.9.9:3128")
    httpserver.expect_request("/direct").respond_with_data("direct")
    assert outbound_session().get(factories.local(httpserver, "/direct")).text == "direct"


def test_default_timeouts_apply(settings, httpserver: HTTPServer) -> None:
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    httpserver.expect_request("/slow").respond_with_handler(_slow)
    session = outbound_session(connect_timeout=1, read_timeout=0.3)
    with pytest.raises(requests.exceptions.ReadTimeout):
        session.get(factories.local(httpserver, "/slow"))


def _slow(request):  # type: ignore[no-untyped-def]
    import time

    from werkzeug import Response

    time.sleep(1.0)
    return Response("late")
