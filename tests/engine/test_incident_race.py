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
    holding = threading.Event()
    errors: list[BaseException] = []

    def open_incident() -> None:
        try:
            with transaction.atomic():
                process_batch(
                    [Submission(monitor="web", status="error", timestamp=start + dt.timedelta(seconds=1))]
                )
                holding.set()
                # Hold the monitor's lock until the OK below is waiting for it.
                time.sleep(0.8)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
            holding.set()
        finally:
            close_old_connections()
            connection.close()

    opener = threading.Thread(target=open_incident)
    opener.start()
    assert holding.wait(10)
    began = time.monotonic()
    outcome = process_batch(
        [
            Submission(
                monitor="web",
                status="ok",
                timestamp=start + dt.timedelta(seconds=2),
                monitor_data=monitor_data,
            )
        ]
    )[0]
    waited = time.monotonic() - began
    opener.join(10)
    assert not errors, errors
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
    holding = threading.Event()
    errors: list[BaseException] = []

    def first_error() -> None:
        try:
            with transaction.atomic():
                process_batch(
                    [Submission(monitor="db", status="error", timestamp=start + dt.timedelta(seconds=1))]
                )
                holding.set()
                time.sleep(0.8)
        except BaseException as exc:
            errors.append(exc)
            holding.set()
        finally:
            close_old_connections()
            connection.close()

    opener = threading.Thread(target=first_error)
    opener.start()
    assert holding.wait(10)
    outcome = process_batch(
        [Submission(monitor="db", status="error", timestamp=start + dt.timedelta(seconds=2))]
    )[0]
    opener.join(10)
    assert not errors, errors
    incident = Incident.objects.get(monitor__key="db")
    assert incident.resolved_at is None and incident.consecutive_errors == 2
    assert outcome.incident is not None and outcome.incident.pk == incident.pk
