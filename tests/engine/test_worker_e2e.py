"""End to end with a real ``manage.py qcluster``: submissions over the API,
delivery to a local receiver, and the minute sweep run by the worker itself.

It runs against whatever database the suite uses: PostgreSQL (and Redis) in
CI's second run, the SQLite test file otherwise; both are shared with the
worker process, which is why the test commits (transactional_db).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_q.models import Schedule, Task
from pytest_httpserver import HTTPServer
from rest_framework.test import APIClient

from alerting.models import Alert, ApiKey, EscalationState, Incident
from integrations.models import IntegrationStep, Message
from integrations.tasks import ESCALATION_SWEEP
from tests.engine import factories as f

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BODY = '{"type": "{{@alert.type}}", "level": "{{@escalationLevel.id}}", "incident": "{{@incident.key}}"}'


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    return ("127.0.0.1", 0)


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}@{host}{port}/{db['NAME']}"


@pytest.fixture
def worker() -> Iterator[Callable[[], str]]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(),
        OUTBOUND_ALLOWLIST="127.0.0.1",
        DATA_DIR=str(settings.DATA_DIR),
        Q_WORKERS="1",
    )
    log = tempfile.NamedTemporaryFile("w+", prefix="qcluster-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def output() -> str:
        log.flush()
        return Path(log.name).read_text(errors="replace")[-5000:]

    try:
        yield output
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()
        Path(log.name).unlink(missing_ok=True)


def wait_for(condition: Callable[[], object], seconds: float, what: str, output: Callable[[], str]) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"timed out waiting for {what}\n--- qcluster output ---\n{output()}")


def received(server: HTTPServer) -> list[tuple[str, str]]:
    return [(b["type"], b["level"]) for b in (json.loads(r.get_data()) for r, _ in server.log)]


def test_alert_sweep_reminder_and_ok_through_a_real_worker(worker, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    f.silence_default_definition()
    hook = f.webhook("Receiver")
    IntegrationStep.objects.filter(integration=hook).update(url=httpserver.url_for("/hook"), body=BODY)
    f.definition(
        "E2E",
        [
            {"threshold": 1, "reminders": 1, "delay": 1},
            {"mode": "error_duration", "threshold": 1},
        ],
        groups=[f.all_monitors()],
        integrations=[hook],
    )
    _, raw = ApiKey.generate("e2e", "read")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    # An error: level 1 fires at once and is delivered by the worker.
    answer = client.post(
        "/api/v1/alerts", {"monitor": "e2e", "status": "error", "description": "down"}, format="json"
    )
    assert answer.status_code == 202, answer.content
    key = answer.json()["incident"]["key"]
    wait_for(lambda: ("Alert", "1") in received(httpserver), 60, "the level-1 alert at the receiver", worker)

    # Two minutes pass with no submission: move the incident's clock back
    # rather than wait, and let the scheduler run the sweep now.
    moved = timezone.now() - dt.timedelta(minutes=2)
    Incident.objects.filter(key=key).update(opened_at=moved)
    EscalationState.objects.filter(incident__key=key).update(next_reminder_at=timezone.now())
    Schedule.objects.filter(name=ESCALATION_SWEEP.name).update(next_run=timezone.now())
    wait_for(
        lambda: {("Alert", "2"), ("Reminder", "1")} <= set(received(httpserver)),
        90,
        "the sweep's level-2 alert and level-1 reminder at the receiver",
        worker,
    )
    assert Task.objects.filter(func=ESCALATION_SWEEP.func, success=True).exists()
    swept = Alert.objects.filter(incident__key=key, check_result__isnull=True)
    assert sorted((a.alert_type, a.level_number) for a in swept) == [("Alert", 2), ("Reminder", 1)]

    # OK: both levels that fired send an Ok, after their alerts.
    answer = client.post("/api/v1/alerts", {"monitor": "e2e", "status": "ok"}, format="json")
    assert [a["type"] for a in answer.json()["alerts"]] == ["Ok", "Ok"]
    wait_for(
        lambda: {("Ok", "1"), ("Ok", "2")} <= set(received(httpserver)),
        60,
        "both Ok alerts at the receiver",
        worker,
    )
    order = received(httpserver)
    assert order.index(("Ok", "1")) > order.index(("Alert", "1"))
    assert order.index(("Ok", "2")) > order.index(("Alert", "2"))
    assert sorted(order) == sorted(
        [("Alert", "1"), ("Alert", "2"), ("Reminder", "1"), ("Ok", "1"), ("Ok", "2")]
    )
    wait_for(
        lambda: not Message.objects.exclude(status="delivered").exists(),
        30,
        "every message delivered",
        worker,
    )
    detail = client.get(f"/api/v1/incidents/{key}").json()
    assert detail["status"] == "resolved"
    assert [m["status"] for a in detail["alerts"] for m in a["messages"]] == ["delivered"] * 5
