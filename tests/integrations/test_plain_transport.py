"""Delivery renders, transports send: a step renders into a plain Request
from values alone, and the webhook transport sends a Request and classifies
the answer. No test here may touch the database (pytest-django refuses any
query without the ``db`` fixture), so neither side can read a model."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from pytest_httpserver import HTTPServer

from integrations.captures import Capture
from integrations.outbound import outbound_session
from integrations.rendering import Prepared, StepSpec, render_step, run_chain
from integrations.transports import webhook
from integrations.transports.base import Credentials, Request, TransportError
from integrations.transports.outgoing import Outgoing
from integrations.transports.redact import MASK, Redactor

SECRET = "whsec-plain-1"


def outgoing(**values: object) -> Outgoing:
    fields: dict[str, object] = {
        "kind": "webhook",
        "alert_type": "Alert",
        "context": {"@monitor.name": "Shop", "Base": ""},
        "variables": {},
        "message_id": "m-1",
        "redactor": Redactor(),
        "timeout": (2.0, 5.0),
        **values,
    }
    return Outgoing(**fields)


def test_a_step_renders_into_a_plain_request() -> None:
    step = StepSpec(
        position=1,
        name="open",
        method="POST",
        url="https://hooks.example.com/{{@monitor.name}}",
        headers=(("X-Monitor", "{{@monitor.name}}\nnext line"), (" ", "dropped")),
        body='{"m": "{{@monitor.name}}"}',
        content_type="application/json",
        auth_type="digest",
        auth_username="u-{{@monitor.name}}",
        auth_password="{{Pass}}",
    )
    request, secrets = render_step(step, {"@monitor.name": "Shop", "Pass": "pw-123456"}, {})
    assert request == Request(
        "POST",
        "https://hooks.example.com/Shop",
        {"X-Monitor": "Shop next line", "Content-Type": "application/json"},
        '{"m": "Shop"}',
        Credentials("digest", "u-Shop", "pw-123456"),
    )
    assert secrets == ("pw-123456",)
    bearer = StepSpec(
        position=1, name="", method="GET", url="https://x.example", body="ignored", auth_type="bearer"
    )
    request, secrets = render_step(bearer, {}, {})
    assert request.body is None and "Authorization" not in request.headers and secrets == ("",)


def test_the_webhook_transport_signs_sends_and_classifies(receiver: HTTPServer) -> None:
    receiver.expect_request("/ok", method="POST").respond_with_data("fine")
    receiver.expect_request("/busy").respond_with_data("slow down", status=429, headers={"Retry-After": "7"})
    receiver.expect_request("/bad").respond_with_data("no", status=400)
    out = outgoing(signing_secrets=(SECRET,))
    exchanges: list = []
    with outbound_session(*out.timeout) as session:
        sent = webhook.send(
            out, session, Request("POST", receiver.url_for("/ok"), {}, '{"a": 1}'), exchanges=exchanges
        )
        assert sent.status == 200 and exchanges == [sent]
        with pytest.raises(TransportError) as busy:
            webhook.send(out, session, Request("GET", receiver.url_for("/busy")), exchanges=exchanges)
        with pytest.raises(TransportError) as bad:
            webhook.send(out, session, Request("GET", receiver.url_for("/bad")), exchanges=exchanges)
    request = receiver.log[0][0]
    timestamp = request.headers["X-Alertsite-Timestamp"]
    expected = hmac.new(SECRET.encode(), f'{timestamp}.{{"a": 1}}'.encode(), hashlib.sha256).hexdigest()
    assert request.headers["X-Alertsite-Signature"] == f"v1={expected}"
    assert request.headers["Idempotency-Key"] == "m-1"
    assert not busy.value.permanent and busy.value.retry_after == 7.0
    assert bad.value.permanent and bad.value.retry_after is None
    assert len(bad.value.exchanges) == 3


def test_a_chain_captures_a_secret_and_hides_it(receiver: HTTPServer) -> None:
    receiver.expect_request("/token").respond_with_json({"token": "tok-abcdef-42"})
    receiver.expect_request("/use").respond_with_data("used tok-abcdef-42")
    base = receiver.url_for("/").rstrip("/")
    chain = [
        StepSpec(
            position=1,
            name="login",
            method="POST",
            url=base + "/token",
            captures=(Capture("Token", "json-pointer", "/token"),),
        ),
        StepSpec(
            position=2, name="", method="POST", url=base + "/use", auth_type="bearer", auth_token="{{Token}}"
        ),
    ]
    prepared = Prepared(out=outgoing(), steps=tuple(chain))
    with outbound_session(*prepared.out.timeout) as session:
        exchanges = run_chain(prepared, chain, session)
    assert receiver.log[1][0].headers["Authorization"] == "Bearer tok-abcdef-42"
    assert [r.headers["Idempotency-Key"] for r, _response in receiver.log] == ["m-1-1", "m-1-2"]
    shown = json.dumps([[e.request, e.body] for e in exchanges])
    assert "tok-abcdef-42" not in shown and MASK in exchanges[0].body
