"""The message log API, replay over the API and the retry_messages command."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from alerting.models import ApiKey
from integrations.models import Message, MessageAttempt, MessageStatus
from tests.delivery import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def keys() -> dict[str, str]:
    return {scope: ApiKey.generate(f"{scope} key", scope)[1] for scope in ("ingest", "read", "admin")}


def api(client: Client, key: str, method: str, path: str, **params: object):  # type: ignore[no-untyped-def]
    return getattr(client, method)(path, params or None, HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture
def log() -> dict[str, Message]:
    hook = factories.webhook("https://hooks.example.com/a", name="Ops hook")
    other = factories.webhook("https://hooks.example.com/b", name="Other")
    [failed] = factories.messages(hook, status=MessageStatus.FAILED, attempt_count=2, error="HTTP 500")
    for n in (1, 2):
        MessageAttempt.objects.create(
            message=failed,
            number=n,
            started_at=timezone.now(),
            request={"method": "POST", "url": "https://hooks.example.com/a", "headers": {}, "body": "{}"},
            response_status=500,
            response_body="oops",
            outcome="pending" if n == 1 else "failed",
        )
    [delivered] = factories.messages(other, status=MessageStatus.DELIVERED, attempt_count=1)
    [pending] = factories.messages(hook, due=timezone.now() + timedelta(minutes=5))
    return {"failed": failed, "delivered": delivered, "pending": pending}


def test_message_log_lists_attempts(client: Client, keys, log) -> None:  # type: ignore[no-untyped-def]
    response = api(client, keys["read"], "get", "/api/v1/messages")
    assert response.status_code == 200
    by_id = {m["id"]: m for m in response.json()["results"]}
    failed = by_id[log["failed"].id]
    assert failed["status"] == "failed"
    assert failed["integration"] == "Ops hook"
    assert [a["number"] for a in failed["attempts"]] == [1, 2]
    assert failed["attempts"][0]["response_status"] == 500
    assert failed["attempts"][0]["request"]["method"] == "POST"


def test_message_log_filters(client: Client, keys, log) -> None:  # type: ignore[no-untyped-def]
    def ids(**params: object) -> set[int]:
        response = api(client, keys["read"], "get", "/api/v1/messages", **params)
        assert response.status_code == 200, response.content
        return {m["id"] for m in response.json()["results"]}

    assert ids(status="failed") == {log["failed"].id}
    assert ids(integration="Ops hook") == {log["failed"].id, log["pending"].id}
    assert ids(integration=str(log["delivered"].integration_id)) == {log["delivered"].id}
    assert ids(alert=str(log["failed"].alert.guid)) == {log["failed"].id}
    assert ids(since=(timezone.now() + timedelta(hours=1)).isoformat()) == set()


@pytest.mark.parametrize(
    "params",
    [{"status": "lost"}, {"alert": "not-a-uuid"}, {"since": "yesterday"}, {"since": "2026-01-01T00:00"}],
)
def test_bad_filters_are_400(client: Client, keys, log, params) -> None:  # type: ignore[no-untyped-def]
    response = api(client, keys["read"], "get", "/api/v1/messages", **params)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == set(params)


def test_scopes(client: Client, keys, log) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/messages").status_code == 401
    assert api(client, keys["ingest"], "get", "/api/v1/messages").status_code == 403
    path = f"/api/v1/messages/{log['failed'].id}/retry"
    assert api(client, keys["read"], "post", path).status_code == 403
    assert Message.objects.get(pk=log["failed"].pk).status == MessageStatus.FAILED


def test_retry_over_the_api(client: Client, keys, log) -> None:  # type: ignore[no-untyped-def]
    response = api(client, keys["admin"], "post", f"/api/v1/messages/{log['failed'].id}/retry")
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    message = Message.objects.get(pk=log["failed"].pk)
    assert message.status == MessageStatus.PENDING
    assert message.attempts_before_replay == 2
    assert message.next_attempt_at <= timezone.now()
    assert api(client, keys["admin"], "post", "/api/v1/messages/999999/retry").status_code == 404


def test_retry_of_a_message_being_sent_is_409(client: Client, keys, log) -> None:  # type: ignore[no-untyped-def]
    Message.objects.filter(pk=log["pending"].pk).update(
        status=MessageStatus.SENDING, lease_owner="w", lease_expires_at=timezone.now() + timedelta(minutes=1)
    )
    response = api(client, keys["admin"], "post", f"/api/v1/messages/{log['pending'].id}/retry")
    assert response.status_code == 409
    assert "being sent" in response.json()["errors"]["detail"][0]


def test_retry_messages_command(log) -> None:  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command("retry_messages", stdout=out)
    assert "Retried 1 message(s)" in out.getvalue()
    assert Message.objects.get(pk=log["failed"].pk).status == MessageStatus.PENDING
    out = StringIO()
    call_command("retry_messages", "--id", str(log["delivered"].id), stdout=out)
    assert Message.objects.get(pk=log["delivered"].pk).status == MessageStatus.PENDING
    out = StringIO()
    call_command("retry_messages", "--status", "failed", "--integration", "Other", "--dry-run", stdout=out)
    assert "0 message(s) would be retried" in out.getvalue()


@pytest.mark.parametrize(
    "args, error",
    [
        (["--integration", "Nope"], "No integration named"),
        (["--since", "last week"], "ISO 8601"),
        (["--since", "2026-01-01T00:00"], "time zone"),
        (["--id", "424242"], "No message with id 424242"),
    ],
)
def test_retry_messages_bad_input(args: list[str], error: str, log) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match=error):
        call_command("retry_messages", *args)
