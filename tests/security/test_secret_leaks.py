"""After a full alert cycle through a real worker, no secret appears anywhere it could leak.

Integrations with every kind of secret (a secret variable used in a header and
a query string, a signing secret, a step bearer token, a Telegram bot token in
the URL path, a Slack webhook URL) are created through the API; an error and
an Ok are submitted through the API; a real ``manage.py qcluster`` delivers to
a local receiver. Then every API answer, every admin page, the captured log
records, the worker's output, the task queue and results, the message log and
every table's raw contents are scanned for the secret strings.
"""

from __future__ import annotations

import base64
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
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django_q.models import OrmQ, Schedule, Task
from django_q.signing import SignedPackage
from pytest_httpserver import HTTPServer
from rest_framework.test import APIClient

from alerting.models import ApiKey
from integrations.models import Integration, Message, MessageAttempt
from tests.engine import factories as f

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

VARIABLE_SECRET = "varsecret-6d1f0c2b9e8a7"
BEARER = "bearer-token-3c4d5e6f7a8b9"
SIGNING = "signing-secret-0a1b2c3d4e5f6a7b"
TELEGRAM = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SLACK_TOKEN = "XyZslackTokenAbC0123456789"


def variants(secret: str) -> set[str]:
    return {secret, quote(secret, safe=""), base64.b64encode(secret.encode()).decode()}


class Scanner:
    def __init__(self, secrets: list[str]) -> None:
        self.needles = {v: s for s in secrets for v in variants(s)}
        self.scanned: dict[str, int] = {}

    def scan(self, where: str, text: str) -> None:
        source = where.split(":")[0].split(" /")[0]
        self.scanned[source] = self.scanned.get(source, 0) + 1
        for needle, secret in self.needles.items():
            at = text.find(needle)
            assert at == -1, f"{secret!r} found in {where}: …{text[max(0, at - 200) : at + 100]}…"


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}{port}/{db['NAME']}"


@pytest.fixture
def worker(settings) -> Iterator[Callable[[], str]]:  # type: ignore[no-untyped-def]
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1", "localhost", "::1"]
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(),
        OUTBOUND_ALLOWLIST="127.0.0.1,localhost,::1",
        FIELD_ENCRYPTION_KEYS=",".join(settings.FIELD_ENCRYPTION_KEYS),
        SECRET_KEY=settings.SECRET_KEY,
        DATA_DIR=str(settings.DATA_DIR),
        Q_WORKERS="1",
        # Everything the worker and its libraries log, urllib3's request lines included.
        LOG_LEVEL="DEBUG",
        Q_LOG_LEVEL="DEBUG",
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
        return Path(log.name).read_text(errors="replace")

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


def wait_for(condition: Callable[[], object], seconds: float, what: str, output: Callable[[], str]) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    pytest.fail(f"timed out waiting for {what}\n--- qcluster output ---\n{output()[-5000:]}")


class RecordingAPI:
    """An API client that keeps every answer for the scan."""

    def __init__(self, raw_key: str) -> None:
        self.client = APIClient()
        self.client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
        self.answers: list[tuple[str, str]] = []

    def __getattr__(self, method: str) -> Callable[..., object]:
        def call(path: str, *args: object, **kwargs: object) -> object:
            response = getattr(self.client, method)(path, *args, **kwargs)
            self.answers.append(
                (f"{method.upper()} {path} -> {response.status_code}", response.content.decode())
            )
            return response

        return call


def create_integrations(api: RecordingAPI, base: str) -> list[str]:
    bodies = [
        {
            "name": "Webhook",
            "kind": "webhook",
            "signing_secrets": [SIGNING],
            "variables": [{"name": "ApiKey", "is_secret": True, "secret_value": VARIABLE_SECRET}],
            "steps": [
                {
                    "name": "All",
                    "url": base + "/hook?token={{ApiKey}}",
                    "headers": [["X-Api-Key", "{{ApiKey}}"]],
                    "body": '{"type": "{{@alert.type}}", "key": "{{ApiKey}}"}',
                    "auth_type": "bearer",
                    "auth_token": BEARER,
                }
            ],
        },
        {
            "name": "Telegram",
            "preset": "telegram",
            "variables": [
                {"name": "BotToken", "is_secret": True, "secret_value": TELEGRAM},
                {"name": "ChatId", "value": "-1001234567890"},
                {"name": "ApiBaseUrl", "value": base},
            ],
        },
        {
            "name": "Slack",
            "kind": "slack",
            "variables": [
                {
                    "name": "WebhookUrl",
                    "is_secret": True,
                    "secret_value": f"{base}/services/T0000000/B0000000/{SLACK_TOKEN}",
                }
            ],
        },
    ]
    ids = []
    for body in bodies:
        response = api.post("/api/v1/integrations", body, format="json")
        assert response.status_code == 201, response.content
        ids.append(response.json()["id"])
    return ids


def admin_pages(client: Client) -> Iterator[tuple[str, str]]:
    for model in admin.site._registry:
        opts = model._meta
        try:
            changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        except NoReverseMatch:
            continue
        page = client.get(changelist)
        assert page.status_code == 200, changelist
        yield changelist, page.content.decode()
        for pk in model._default_manager.order_by("-pk").values_list("pk", flat=True)[:25]:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])
            page = client.get(url)
            assert page.status_code == 200, url
            yield url, page.content.decode()


def queue_and_results() -> Iterator[tuple[str, str]]:
    for row in OrmQ.objects.all():
        yield f"OrmQ:{row.pk}", repr(SignedPackage.loads(row.payload))
    for task in Task.objects.all():
        yield f"Task:{task.pk}", repr((task.func, task.args, task.kwargs, task.result))
    for schedule in Schedule.objects.all():
        yield f"Schedule:{schedule.pk}", repr((schedule.func, schedule.args, schedule.kwargs))
    if settings.REDIS_URL:
        from django_q.brokers import get_broker

        broker = get_broker()
        for raw in broker.connection.lrange(broker.list_key, 0, -1):
            yield "redis queue", repr(SignedPackage.loads(raw.decode()))


def raw_tables() -> Iterator[tuple[str, str]]:
    quote_name = connection.ops.quote_name
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {quote_name(model._meta.db_table)}")
            for row in cursor.fetchall():
                yield f"table {model._meta.db_table}", repr(row)


def test_no_secret_leaks_after_a_full_alert_cycle(
    worker: Callable[[], str], httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    httpserver.expect_request("/hook").respond_with_json({"ok": True})
    httpserver.expect_request(f"/bot{TELEGRAM}/sendMessage").respond_with_json({"ok": True, "result": {}})
    httpserver.expect_request(f"/services/T0000000/B0000000/{SLACK_TOKEN}").respond_with_data("ok")
    base = httpserver.url_for("").rstrip("/")

    _, admin_raw = ApiKey.generate("admin", "admin")
    _, ingest_raw = ApiKey.generate("ingest", "ingest")
    api = RecordingAPI(admin_raw)
    ingest = RecordingAPI(ingest_raw)
    ids = create_integrations(api, base)

    f.silence_default_definition()
    hooks = list(Integration.objects.filter(pk__in=ids))
    f.definition("Leaks", [{"threshold": 1}], groups=[f.all_monitors()], integrations=hooks)

    answer = ingest.post(
        "/api/v1/alerts",
        {"monitor": "web", "status": "error", "description": "down", "check_url": "https://example.com/"},
        format="json",
    )
    assert answer.status_code == 202, answer.content
    wait_for(lambda: len(httpserver.log) >= 3, 60, "three alerts at the receiver", worker)
    answer = ingest.post("/api/v1/alerts", {"monitor": "web", "status": "ok"}, format="json")
    assert answer.status_code == 202, answer.content
    wait_for(lambda: len(httpserver.log) >= 6, 60, "three Ok alerts at the receiver", worker)
    wait_for(
        lambda: not Message.objects.exclude(status="delivered").exists(),
        30,
        "every message delivered",
        worker,
    )

    # The secrets really were used: the receiver got them.
    paths = [request.full_path for request, _ in httpserver.log]
    hook = next(request for request, _ in httpserver.log if request.path == "/hook")
    assert hook.headers["X-Api-Key"] == VARIABLE_SECRET
    assert hook.headers["Authorization"] == f"Bearer {BEARER}"
    assert hook.args["token"] == VARIABLE_SECRET
    assert any(TELEGRAM in p for p in paths) and any(SLACK_TOKEN in p for p in paths)
    assert Message.objects.count() == 6

    # Read back everything the API offers.
    for path in ("/api/v1/integrations", "/api/v1/messages", "/api/v1/alerts", "/api/v1/incidents"):
        assert api.get(path).status_code == 200
    for pk in ids:
        assert api.get(f"/api/v1/integrations/{pk}").status_code == 200
    incident = api.get("/api/v1/incidents").json()["results"][0]["key"]
    assert api.get(f"/api/v1/incidents/{incident}").status_code == 200
    assert api.get("/api/v1/variables").status_code == 200

    scanner = Scanner([VARIABLE_SECRET, BEARER, SIGNING, TELEGRAM, SLACK_TOKEN, admin_raw, ingest_raw])
    for where, text in api.answers + ingest.answers:
        scanner.scan(f"API {where}", text)
    staff = Client()
    staff.force_login(
        apps.get_model("auth", "User").objects.create_superuser("root", "root@example.com", "pw-for-tests")
    )
    for where, text in admin_pages(staff):
        scanner.scan(f"admin {where}", text)
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        scanner.scan(f"log {record.name}", text)
    scanner.scan("worker output", worker())
    for where, text in queue_and_results():
        scanner.scan(where, text)
    for model in (Message, MessageAttempt):
        for row in model.objects.values():
            scanner.scan(f"{model.__name__}:{row['id']}", json.dumps(row, default=str))
    for where, text in raw_tables():
        scanner.scan(where, text)

    # URLs with tokens in the path or query are shown redacted, keeping where they went.
    logged = [a.request.get("url", "") for a in MessageAttempt.objects.all()]
    assert any(u.startswith(base) and "/sendMessage" in u and "********" in u for u in logged), logged
    assert any(u.startswith(base + "/hook?token=") and "********" in u for u in logged), logged
    # Each source was really scanned.
    assert scanner.scanned["admin"] >= 30
    # urllib3's request lines (DEBUG) were logged by the worker, token masked.
    output = worker()
    assert '"POST /bot********/sendMessage HTTP/1.1" 200' in output, output[-3000:]
    assert '"POST /services/********/********/******** HTTP/1.1" 200' in output
    assert scanner.scanned["Message"] == 6
    assert scanner.scanned["table alerting_alert"] >= 2
