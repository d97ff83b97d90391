"""An OK that waits for the monitor's lock while another transaction opens an
incident (a concurrent error, the heartbeat sweep) resolves that incident.

On PostgreSQL the waiting statement reads other tables with the snapshot it
started with, so it cannot see the incident committed while it waited; both
the steady OK's single statement and the general path's locking SELECT must
notice it anyway (alerting.engine.steady, alerting.engine.locking)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from alerting.engine.submissions import Submission, process_batch
from alerting.models import Incident, Monitor

pytestmark = pytest.mark.django_db(transaction=True)


class HeldLock:
    """Applies ``sub`` in a transaction on a thread of its own and keeps that
    transaction (and the monitor's lock) open for a while once it has."""

    def __init__(self, sub: Submission, seconds: float = 0.8) -> None:
        self.sub, self.seconds = sub, seconds
        self.holding = threading.Event()
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        try:
            with transaction.atomic():
                process_batch([self.sub])
                self.holding.set()
                time.sleep(self.seconds)
        except BaseException as exc:  # reported by the main thread
            self.errors.append(exc)
            self.holding.set()
        finally:
            close_old_connections()
            connection.close()

    def __enter__(self) -> HeldLock:
        self.thread.start()
        assert self.holding.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.thread.join(10)
        assert not self.errors, self.errors


@pytest.mark.parametrize(
    "monitor_data",
    [
        pytest.param({}, id="steady OK"),
        # Monitor data keeps an OK off the steady path: the general path's lock.
        pytest.param({"monitor_url": "https://example.com/"}, id="general path"),
    ],
)
def test_an_ok_waiting_for_the_lock_resolves_the_incident_opened_meanwhile(monitor_data):
    start = timezone.now()
    process_batch([Submission(monitor="web", status="ok", timestamp=start)])
    first_error = Submission(monitor="web", status="error", timestamp=start + dt.timedelta(seconds=1))
    with HeldLock(first_error):
        began = time.monotonic()
        ok = Submission(
            monitor="web", status="ok", timestamp=start + dt.timedelta(seconds=2), monitor_data=monitor_data
        )
        outcome = process_batch([ok])[0]
        waited = time.monotonic() - began
    incident = Incident.objects.get(monitor__key="web")
    # The OK did wait for the lock (else this test shows nothing) ...
    if connection.vendor == "postgresql":
        assert waited > 0.3
    # ... and resolved what it found once it had it.
    assert incident.resolved_at is not None
    assert outcome.incident is not None and outcome.incident.pk == incident.pk
    assert Monitor.objects.get(key="web").last_status == "ok"


def test_an_error_waiting_for_the_lock_extends_the_incident_opened_meanwhile():
    """Two first errors of one monitor at once: one incident, two errors (not
    a second incident, which the one-open-incident constraint would refuse)."""
    start = timezone.now()
    process_batch([Submission(monitor="db", status="ok", timestamp=start)])
    with HeldLock(Submission(monitor="db", status="error", timestamp=start + dt.timedelta(seconds=1))):
        second = Submission(monitor="db", status="error", timestamp=start + dt.timedelta(seconds=2))
        outcome = process_batch([second])[0]
    incident = Incident.objects.get(monitor__key="db")
    assert incident.resolved_at is None and incident.consecutive_errors == 2
    assert outcome.incident is not None and outcome.incident.pk == incident.pk
