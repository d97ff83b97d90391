from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from alerting.models import ApiKey

pytestmark = pytest.mark.django_db


def create(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("create_api_key", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def submit(raw: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client.post("/api/v1/alerts", {"monitor": "m", "status": "ok"}, format="json").status_code


def test_create_prints_the_key_once_and_stores_only_a_hash():
    raw, note = create("checker")
    key = ApiKey.objects.get(name="checker")
    assert key.scope == "ingest" and raw.startswith(key.prefix)
    assert raw not in note and "cannot be shown again" in note
    assert raw not in {key.key_hash, key.name}
    assert submit(raw) == 202


def test_create_with_scope_and_rate_limit():
    raw, _ = create("reader", "--scope", "read", "--rate-limit", "30")
    key = ApiKey.objects.get(name="reader")
    assert (key.scope, key.rate_limit_per_minute) == ("read", 30)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert client.get("/api/v1/incidents").status_code == 200


@pytest.mark.parametrize("args", [("x", "--scope", "root"), (" ",), ("x", "--rate-limit", "0")])
def test_create_refuses_bad_arguments(args):
    with pytest.raises((CommandError, SystemExit)):
        create(*args)
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize("how", ["name", "prefix", "key"])
def test_revoke_by_name_prefix_or_key(how):
    raw, _ = create("to-revoke")
    key = ApiKey.objects.get()
    given = {"name": "to-revoke", "prefix": key.prefix, "key": raw}[how]
    out = StringIO()
    call_command("revoke_api_key", given, stdout=out)
    assert "Revoked" in out.getvalue() and raw not in out.getvalue()
    assert ApiKey.objects.get().is_revoked
    assert submit(raw) == 401


def test_revoke_unknown_or_ambiguous_is_an_error():
    with pytest.raises(CommandError, match="No active API key"):
        call_command("revoke_api_key", "nothing")
    create("twin")
    create("twin")
    with pytest.raises(CommandError, match="2 keys match"):
        call_command("revoke_api_key", "twin")
