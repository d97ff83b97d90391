"""User-defined functions, vault items and the auth types, sent for real to a
local receiver: the exact request it gets, and what the message log shows."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from werkzeug import Request, Response

from alerting.models import Alert, AlertDefinition, Incident, Monitor
from integrations import catalogue, provisioning
from integrations.models import (
    Integration,
    IntegrationFunction,
    IntegrationKind,
    IntegrationStep,
    Message,
    VaultItem,
)
from integrations.outbound import outbound_session
from integrations.sending import send_message, send_test
from integrations.transports.base import TransportError

pytestmark = pytest.mark.django_db

REALM, NONCE = "alertsite-test", "dcd98b7102dd2f0e8b11d0f600bfb0c093"


def vault_item(**values: str) -> VaultItem:
    return VaultItem.objects.create(
        name=values.pop("name", "ops account"),
        **{"username": "svc-user", "password": "vault-pa55-word", "secret": "vault-hmac-secret", **values},
    )


def ref(item: VaultItem, field: str) -> str:
    return "{{@VaultItem." + str(item.pk) + "." + field + "}}"


def hook(url: str, **step: object) -> Integration:
    integration = Integration.objects.create(name="hook", kind=IntegrationKind.WEBHOOK)
    IntegrationStep.objects.create(integration=integration, position=1, url=url, **step)
    return integration


def alert_message(integration: Integration, description: str) -> Message:
    monitor = Monitor.objects.create(key="web", name="Web")
    incident = Incident.objects.create(key="k-1", monitor=monitor, opened_at=timezone.now())
    definition = AlertDefinition.objects.create(name="D")
    variables = catalogue.example_values("Alert")
    variables["@alert.description"] = description
    alert = Alert.objects.create(
        incident=incident,
        definition=definition,
        definition_name="D",
        level_number=1,
        alert_type="Alert",
        timestamp=timezone.now(),
        variables=variables,
    )
    return Message.objects.create(alert=alert, integration=integration, next_attempt_at=timezone.now())


def test_hmac_header_mapping_and_regex_from_functions(receiver) -> None:
    receiver.expect_request("/in", method="POST").respond_with_data("ok")
    item = vault_item()
    integration = hook(
        receiver.url_for("/in") + "?sev={{Severity({{@alert.type}})}}",
        headers=[["X-Signature", "sha256={{Sign({{@incident.key}}|{{Code({{@alert.description}})}})}}"]],
        body='{"code": "{{Code({{@alert.description}})}}", "severity": "{{Severity({{@alert.type}})}}"}',
    )
    IntegrationFunction.objects.create(
        integration=integration,
        name="Severity",
        kind="mapping",
        mapping=[["Alert", "critical"], ["Ok", "resolved"]],
        default_value="info",
    )
    IntegrationFunction.objects.create(
        integration=integration, name="Code", kind="regex", pattern=r"HTTP (\d+)"
    )
    IntegrationFunction.objects.create(
        integration=integration,
        name="Sign",
        kind="hash",
        algorithm="hmac-sha256",
        hash_key=ref(item, "Secret"),
    )
    message = alert_message(integration, "HTTP 503 from https://shop.example")
    with outbound_session() as session:
        exchanges = send_message(message, session)

    request = receiver.log[-1][0]
    key = message.alert.variables["@incident.key"]
    expected = hmac.new(b"vault-hmac-secret", f"{key}|503".encode(), hashlib.sha256).hexdigest()
    assert request.headers["X-Signature"] == f"sha256={expected}"
    assert request.args["sev"] == "critical"
    assert json.loads(request.get_data()) == {"code": "503", "severity": "critical"}
    shown = json.dumps(exchanges[0].request)
    assert "vault-hmac-secret" not in shown
    assert exchanges[0].request["headers"]["X-Signature"] == f"sha256={expected}"


def test_vault_password_in_basic_auth_url_and_body_is_redacted(receiver) -> None:
    receiver.expect_request("/in").respond_with_data("ok")
    item = vault_item()
    integration = hook(
        receiver.url_for("/in") + "?user=" + ref(item, "Username"),
        auth_type="basic",
        auth_username=ref(item, "Username"),
        auth_password=ref(item, "Password"),
        body='{"k": "' + ref(item, "Secret") + '"}',
    )
    exchanges = send_test(integration, "Alert")
    request = receiver.log[-1][0]
    assert request.authorization.type == "basic"
    assert (request.authorization.username, request.authorization.password) == ("svc-user", "vault-pa55-word")
    assert request.args["user"] == "svc-user"
    assert json.loads(request.get_data()) == {"k": "vault-hmac-secret"}
    shown = exchanges[0].request
    assert shown["headers"]["Authorization"] == "Basic ********"
    assert shown["body"] == '{"k": "********"}'
    assert "vault-pa55-word" not in json.dumps(shown) and "vault-hmac-secret" not in json.dumps(shown)


def digest_handler(username: str, password: str, seen: list[dict[str, str]]):
    """A receiver that challenges for Digest (RFC 7616, MD5, qop=auth) and
    accepts only the correct answer."""

    def handle(request: Request) -> Response:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Digest "):
            seen.append({})
            return Response(
                "auth needed",
                status=401,
                headers={
                    "WWW-Authenticate": f'Digest realm="{REALM}", nonce="{NONCE}", qop="auth", algorithm=MD5'
                },
            )
        fields = dict(re.findall(r'(\w+)="?([^",]*)"?', header[len("Digest ") :]))
        seen.append(fields)
        ha1 = hashlib.md5(f"{username}:{REALM}:{password}".encode()).hexdigest()
        ha2 = hashlib.md5(f"{request.method}:{fields['uri']}".encode()).hexdigest()
        expected = hashlib.md5(
            f"{ha1}:{NONCE}:{fields['nc']}:{fields['cnonce']}:{fields['qop']}:{ha2}".encode()
        ).hexdigest()
        ok = fields.get("username") == username and fields.get("response") == expected
        return Response("welcome" if ok else "wrong", status=200 if ok else 401)

    return handle


def test_digest_auth_answers_the_challenge_with_the_vault_password(receiver) -> None:
    seen: list[dict[str, str]] = []
    receiver.expect_request("/digest").respond_with_handler(
        digest_handler("svc-user", "vault-pa55-word", seen)
    )
    item = vault_item()
    integration = hook(
        receiver.url_for("/digest"),
        auth_type="digest",
        auth_username=ref(item, "Username"),
        auth_password=ref(item, "Password"),
        body='{"type": "{{@alert.type}}"}',
    )
    exchanges = send_test(integration, "Alert")
    assert [bool(s) for s in seen] == [False, True]  # challenged, then answered
    assert seen[1]["username"] == "svc-user" and seen[1]["realm"] == REALM and seen[1]["uri"] == "/digest"
    assert len(receiver.log) == 2 and receiver.log[1][1].status_code == 200
    assert json.loads(receiver.log[1][0].get_data()) == {"type": "Alert"}
    assert exchanges[0].status == 200 and exchanges[0].body == "welcome"
    assert exchanges[0].request["headers"]["Authorization"] == "Digest ********"
    assert "vault-pa55-word" not in json.dumps(exchanges[0].request)


def test_digest_with_a_wrong_password_is_a_permanent_401(receiver) -> None:
    seen: list[dict[str, str]] = []
    receiver.expect_request("/digest").respond_with_handler(digest_handler("svc-user", "other", seen))
    integration = hook(
        receiver.url_for("/digest"), auth_type="digest", auth_username="svc-user", auth_password="not-it"
    )
    with pytest.raises(TransportError) as failure:
        send_test(integration, "Alert")
    assert failure.value.permanent
    assert len(seen) == 2 and failure.value.exchanges[0].status == 401


def test_vault_change_takes_effect_at_the_next_send(receiver) -> None:
    receiver.expect_request("/in").respond_with_data("ok")
    item = vault_item()
    integration = hook(receiver.url_for("/in"), headers=[["X-Key", ref(item, "Password")]])
    send_test(integration, "Alert")
    item.password = "rotated-pa55"
    item.save()
    send_test(integration, "Alert")
    assert [entry[0].headers["X-Key"] for entry in receiver.log] == ["vault-pa55-word", "rotated-pa55"]


def test_email_subject_calls_a_function(settings) -> None:
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    integration = Integration.objects.create(name="mail", kind=IntegrationKind.EMAIL)
    provisioning.ensure_kind_variables(integration)
    IntegrationFunction.objects.create(
        integration=integration,
        name="Severity",
        kind="mapping",
        mapping=[["Alert", "P1"]],
        default_value="P3",
    )
    subject = integration.variables.get(name="SubjectAlert")
    subject.value = "[{{Severity({{@alert.type}})}}] {{@monitor.name}}"
    subject.full_clean()
    subject.save()
    send_test(integration, "Alert", recipient="ops@example.com")
    assert mail.outbox[0].subject == f"[P1] {catalogue.example_values('Alert')['@monitor.name']}"
    subject.value = "[{{Severty({{@alert.type}})}}]"
    with pytest.raises(ValidationError, match="unknown function Severty"):
        subject.full_clean()


def test_send_test_alert_output_hides_vault_secrets(receiver) -> None:
    receiver.expect_request("/in").respond_with_data("ok")
    item = vault_item()
    hook(
        receiver.url_for("/in"),
        headers=[
            ["X-Api-Secret", ref(item, "Secret")],
            ["X-Pass", "{{@Base64Encode(" + ref(item, "Password") + ")}}"],
        ],
        auth_type="digest",
        auth_username=ref(item, "Username"),
        auth_password=ref(item, "Password"),
    )
    out = StringIO()
    call_command("send_test_alert", "hook", stdout=out)
    output = out.getvalue()
    request = receiver.log[-1][0]
    assert request.headers["X-Api-Secret"] == "vault-hmac-secret"
    assert request.headers["X-Pass"] == base64.b64encode(b"vault-pa55-word").decode()
    for secret in ("vault-hmac-secret", "vault-pa55-word", base64.b64encode(b"vault-pa55-word").decode()):
        assert secret not in output
    assert "X-Api-Secret: ********" in output or '"X-Api-Secret": "********"' in output


def ntlm_handler(seen: list[str]):
    """A receiver that speaks NTLM as a Windows server does: 401 with
    WWW-Authenticate: NTLM, then the challenge, then checks the answer against
    the account in NTLM_USER_FILE (the server side of pyspnego)."""
    import spnego

    state: dict[str, object] = {}

    def handle(request: Request) -> Response:
        header = request.headers.get("Authorization", "")
        seen.append(header.split(" ", 1)[0])
        if not header.startswith("NTLM "):
            return Response("auth needed", status=401, headers={"WWW-Authenticate": "NTLM"})
        token = base64.b64decode(header[5:])
        if token[8:12] == b"\x01\x00\x00\x00":  # NEGOTIATE_MESSAGE: a new handshake
            state["server"] = spnego.server(protocol="ntlm")
        server = state["server"]
        try:
            answer = server.step(token)  # type: ignore[attr-defined]
        except spnego.exceptions.SpnegoError:
            return Response("logon denied", status=401)
        if answer:
            return Response(
                "challenge",
                status=401,
                headers={"WWW-Authenticate": "NTLM " + base64.b64encode(answer).decode()},
            )
        state["user"] = server.client_principal  # type: ignore[attr-defined]
        return Response(f"welcome {state['user']}; body {request.get_data(as_text=True)}", status=200)

    return handle


@pytest.fixture
def ntlm_account(tmp_path, monkeypatch) -> None:
    users = tmp_path / "ntlm-users"
    users.write_text("CORP:svc-user:vault-pa55-word\n")
    monkeypatch.setenv("NTLM_USER_FILE", str(users))


def test_ntlm_handshake_with_the_vault_password(receiver, ntlm_account) -> None:
    seen: list[str] = []
    receiver.expect_request("/ntlm").respond_with_handler(ntlm_handler(seen))
    item = vault_item(username="CORP\\svc-user")
    integration = hook(
        receiver.url_for("/ntlm"),
        auth_type="ntlm",
        auth_username=ref(item, "Username"),
        auth_password=ref(item, "Password"),
        body='{"type": "{{@alert.type}}"}',
    )
    exchanges = send_test(integration, "Alert")
    # Unauthenticated, negotiate, authenticate: the last carries the body.
    assert seen == ["", "NTLM", "NTLM"]
    assert exchanges[0].status == 200
    assert exchanges[0].body == 'welcome CORP\\svc-user; body {"type": "Alert"}'
    assert exchanges[0].request["headers"]["Authorization"] == "NTLM ********"
    assert "vault-pa55-word" not in json.dumps(exchanges[0].request)


def test_ntlm_with_a_wrong_password_is_refused(receiver, ntlm_account) -> None:
    seen: list[str] = []
    receiver.expect_request("/ntlm").respond_with_handler(ntlm_handler(seen))
    integration = hook(
        receiver.url_for("/ntlm"), auth_type="ntlm", auth_username="CORP\\svc-user", auth_password="not-it"
    )
    with pytest.raises(TransportError) as failure:
        send_test(integration, "Alert")
    assert failure.value.permanent and failure.value.exchanges[0].status == 401
    assert failure.value.exchanges[0].body == "logon denied"


def test_predefined_variables_may_take_their_value_from_the_vault(receiver) -> None:
    from integrations.models import IntegrationVariable

    receiver.expect_request("/in").respond_with_data("ok")
    item = vault_item()
    integration = hook(
        receiver.url_for("/in"), auth_type="basic", auth_username="{{User}}", auth_password="{{Password}}"
    )
    user = IntegrationVariable(integration=integration, name="User", value=ref(item, "Username"))
    password = IntegrationVariable(
        integration=integration, name="Password", is_secret=True, secret_value=ref(item, "Password")
    )
    for variable in (user, password):
        variable.full_clean()
        variable.save()
    exchanges = send_test(integration, "Alert")
    request = receiver.log[-1][0]
    assert (request.authorization.username, request.authorization.password) == ("svc-user", "vault-pa55-word")
    assert "vault-pa55-word" not in json.dumps(exchanges[0].request)

    password.secret_value = "{{@alert.type}}"
    with pytest.raises(ValidationError, match="text and vault references"):
        password.full_clean()
    password.secret_value = "{{@VaultItem.0b1c2d3e-0000-4000-8000-000000000001.Password}}"
    with pytest.raises(ValidationError, match="unknown vault item"):
        password.full_clean()
