"""An operator's e-mail that fails for good goes to the operator's backup
address: one new outbox message, once, never from the backup itself."""

from __future__ import annotations

import pytest
from django.core import mail

from alerting.engine import Submission, clock, process_submission
from integrations.delivery import worker
from integrations.models import Message, MessageStatus
from tests.engine import factories as f
from tests.engine.timeline import at

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def refusing_mail_server(settings):
    settings.EMAIL_BACKEND = "tests.delivery.refusing_mail.EmailBackend"


def alert_operator(**fields: str) -> None:
    f.silence_default_definition()
    operator = f.operator("Ann", **fields)
    f.definition(
        "Shop",
        [{"threshold": 1, "operators": [operator], "integrations": [f.builtin("email")]}],
        monitors=[f.monitor("shop")],
    )
    with clock.frozen(at(0)):
        process_submission(Submission("shop", "error", at(0), "down"))


def deliver_all() -> None:
    for _ in range(3):
        pending = list(Message.objects.filter(status=MessageStatus.PENDING).values_list("pk", flat=True))
        if pending:
            worker.deliver(pending)


def test_a_refused_mailbox_falls_back_to_the_backup_address() -> None:
    alert_operator(email="gone@example.com", backup_email="ann.backup@example.com")
    deliver_all()
    rows = {m.recipient: m for m in Message.objects.all()}
    assert rows["gone@example.com"].status == MessageStatus.FAILED
    backup = rows["ann.backup@example.com"]
    assert backup.status == MessageStatus.DELIVERED and backup.alert_id == rows["gone@example.com"].alert_id
    assert [m.to for m in mail.outbox] == [["ann.backup@example.com"]]
    assert "down" in mail.outbox[0].body


def test_no_fallback_without_a_backup() -> None:
    alert_operator(email="gone@example.com")
    deliver_all()
    assert list(Message.objects.values_list("recipient", "status")) == [("gone@example.com", "failed")]


def test_a_failed_backup_does_not_fall_back_again() -> None:
    alert_operator(email="gone@example.com", backup_email="GONE@example.com")
    deliver_all()
    assert list(Message.objects.values_list("recipient", "status")) == [("gone@example.com", "failed")]


def test_a_delivered_mail_needs_no_backup() -> None:
    alert_operator(email="ann@example.com", backup_email="ann.backup@example.com")
    deliver_all()
    assert list(Message.objects.values_list("recipient", "status")) == [("ann@example.com", "delivered")]
