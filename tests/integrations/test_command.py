from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from integrations import catalogue
from integrations.models import Integration

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("send_test_alert", *args, stdout=out)
    return out.getvalue()


def test_uptrends_preset_delivers_all_38_variables(make_preset, receiver) -> None:
    receiver.expect_request("/in", method="POST").respond_with_json({"received": True})
    make_preset("uptrends", {"ApiUrl": receiver.url_for("/in")})
    output = run("uptrends test", "--type", "Ok", "--level", "2")
    body = json.loads(receiver.log[-1][0].get_data())
    values = catalogue.example_values("Ok", 2)
    assert {f"@{g}.{k}": v for g, group in body.items() for k, v in group.items()} == {
        v.name: values[v.name] for v in catalogue.variables()
    }
    assert "> POST http://localhost" in output and "< 200" in output and "delivered" in output
    assert '"received": true' in output


def test_secrets_are_redacted_in_the_output(make_preset, receiver) -> None:
    receiver.expect_request("/bot42:very-secret-token/sendMessage").respond_with_json({"ok": True})
    base = receiver.url_for("/").rstrip("/")
    make_preset("telegram", {"BotToken": "42:very-secret-token", "ChatId": "-1001", "ApiBaseUrl": base})
    output = run("telegram test")
    assert receiver.log and "very-secret-token" not in output and "/bot********/sendMessage" in output


def test_refusal_exits_non_zero(make_preset, receiver) -> None:
    receiver.expect_request("/in").respond_with_data("bad payload", status=400)
    integration = make_preset("uptrends", {"ApiUrl": receiver.url_for("/in")})
    with pytest.raises(CommandError, match=r"refused.*permanent.*HTTP 400"):
        run(str(integration.pk))


def test_dry_run_sends_nothing(make_preset, receiver) -> None:
    make_preset("uptrends", {"ApiUrl": receiver.url_for("/in")})
    output = run("uptrends test", "--dry-run")
    assert receiver.log == [] and "Dry run" in output and '"incident": {' in output


def test_unknown_integration_and_misconfiguration() -> None:
    with pytest.raises(CommandError, match="No integration"):
        run("nothing-like-this")
    from integrations.provisioning import apply_preset

    apply_preset(Integration(name="empty"), "uptrends")
    with pytest.raises(CommandError, match=re.escape("ApiUrl needs a value")):
        run("empty")


def test_exit_code_as_from_the_shell(capsys, monkeypatch, make_preset, receiver) -> None:
    from django.core.management import ManagementUtility
    from django.core.management import base as management_base

    # run_from_argv closes every connection when it ends, test database included.
    monkeypatch.setattr(management_base.connections, "close_all", lambda: None)

    receiver.expect_request("/in").respond_with_data("ok")
    make_preset("uptrends", {"ApiUrl": receiver.url_for("/in")})
    ManagementUtility(["manage.py", "send_test_alert", "uptrends test"]).execute()  # exit status 0
    with pytest.raises(SystemExit) as caught:
        ManagementUtility(["manage.py", "send_test_alert", "no-such-integration"]).execute()
    assert caught.value.code == 1 and "No integration" in capsys.readouterr().err
