"""The service as deployed, watched from outside: gunicorn with two worker
processes and two ``manage.py qcluster`` on one database, ``LOG_FORMAT=json``.

One alert cycle (an error, an acknowledgement, delivery to one receiver that
answers and one that fails until its integration is paused, the OK) must move
every metric; concurrent scrapes answered by both web processes must agree
with each other and with the rows; and every line the processes wrote must be
a JSON object with the fields the README lists, with no secret in any.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db.models import Count

from alerting.models import Alert, ApiKey, CheckResult
from integrations.models import Integration, Message, MessageAttempt, MessageStatus
from tests.delivery import factories
from tests.delivery.cluster import ROOT, Cluster, base_env, wait_for
from tests.delivery.receiver import Receiver
from tests.engine import factories as f
from tests.faults.test_healthz_delivery import free_port
from tests.observability.scrape import Samples, parse, value

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

TOKEN = "metrics-token-e2e-4d9a1c"


@pytest.fixture
def service_env() -> dict[str, str]:
    return base_env(
        DATA_DIR=str(settings.DATA_DIR),
        SECRET_KEY=settings.SECRET_KEY,
        FIELD_ENCRYPTION_KEYS=",".join(settings.FIELD_ENCRYPTION_KEYS),
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",
        Q_LOG_LEVEL="INFO",
        METRICS_TOKEN=TOKEN,
        METRICS_SETTLE_SECONDS="1",
        DELIVERY_BREAKER_THRESHOLD="1",
        DELIVERY_BREAKER_COOLDOWN="600",
        DELIVERY_RETRY_SCHEDULE="600",
        DELIVERY_LINGER_SECONDS="2",
        Q_WORKERS="1",
    )


@pytest.fixture
def web(tmp_path: Path, service_env: dict[str, str]) -> Iterator[tuple[str, Path]]:
    """gunicorn, 2 processes x 2 threads, with the project's gunicorn settings."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with open(log, "ab") as out:
        server = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "alertsite.wsgi:application",
             "-c", "python:alertsite.gunicorn_conf", "--bind", f"127.0.0.1:{port}",
             "--workers", "2", "--threads", "2"],
            cwd=ROOT,
            env=service_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return requests.get(f"{base}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    try:
        assert wait_for(up, 40, 0.2), log.read_text()
        yield base, log
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_metrics_logs_and_request_ids_through_an_alert_cycle(
    web: tuple[str, Path], service_env: dict[str, str], tmp_path: Path
) -> None:
    base, web_log = web
    good, bad = Receiver().start(), Receiver().start()
    bad.respond = lambda _: (503, {"Content-Type": "text/plain"}, b"down")
    f.silence_default_definition()
    good_hook = factories.webhook(good.url(), name="Good hook")
    bad_hook = factories.webhook(bad.url(), name="Bad hook")
    f.definition("Watched", [{"threshold": 1}], groups=[f.all_monitors()], integrations=[good_hook, bad_hook])
    _, raw_key = ApiKey.generate("e2e", "admin")
    auth = {"Authorization": f"Bearer {raw_key}"}
    http = requests.Session()

    def scrape() -> Samples:
        answer = http.get(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
        assert answer.status_code == 200, answer.text
        return parse(answer.text)

    def settled() -> Samples:
        scrape()
        time.sleep(1.2)
        return scrape()

    assert http.get(f"{base}/metrics", timeout=10).status_code == 401
    assert (
        http.get(f"{base}/metrics", headers={"Authorization": "Bearer nope"}, timeout=10).status_code == 401
    )
    before = scrape()
    assert value(before, "alertsite_check_results_total", status="error") == 0
    assert value(before, "alertsite_worker_last_seen_seconds") == float("inf")

    # The error, before any worker runs: recorded, owed, waiting.
    error = http.post(
        f"{base}/api/v1/alerts",
        json={"monitor": "shop", "status": "error", "description": "HTTP 503"},
        headers={**auth, "X-Request-ID": "obs-req-1"},
        timeout=30,
    )
    assert error.status_code == 202 and error.headers["X-Request-ID"] == "obs-req-1"
    refused = http.get(f"{base}/api/v1/nowhere", headers={"X-Request-ID": "x" * 200}, timeout=10)
    assert refused.status_code == 404 and len(refused.headers["X-Request-ID"]) == 32
    ping_url = http.get(f"{base}/api/v1/monitors/shop", headers=auth, timeout=10).json()["ping_url"]
    ping_token = ping_url.rsplit("/", 1)[1]
    assert http.get(f"{base}/ping/{ping_token}/start", timeout=10).status_code == 200
    time.sleep(1)
    during = settled()
    assert value(during, "alertsite_check_results_total", status="error") == 1
    assert value(during, "alertsite_alerts_total", type="Alert") == 1
    assert value(during, "alertsite_messages", status="pending", kind="webhook") == 2
    assert value(during, "alertsite_oldest_due_message_seconds") > 0
    assert value(during, "alertsite_incidents", status="open") == 1
    key = error.json()["incident"]["key"]
    acked = http.post(
        f"{base}/api/v1/incidents/{key}/acknowledge", json={"by": "Dana"}, headers=auth, timeout=30
    )
    assert acked.status_code == 200
    assert value(scrape(), "alertsite_incidents", status="acknowledged") == 1

    clusters = [Cluster(service_env, tmp_path / f"qcluster-{n}.log").start() for n in (1, 2)]
    try:
        assert wait_for(lambda: len(good.received) == 1, 90), clusters[0].log()
        assert wait_for(
            lambda: Integration.objects.filter(pk=bad_hook.pk, paused_until__isnull=False).exists(), 60
        ), clusters[1].log()
        ok = http.post(
            f"{base}/api/v1/alerts", json={"monitor": "shop", "status": "ok"}, headers=auth, timeout=30
        )
        assert ok.status_code == 202
        assert wait_for(
            lambda: (
                Message.objects.filter(integration=good_hook, status=MessageStatus.DELIVERED).count() == 2
            ),
            90,
        ), clusters[0].log()

        def moved() -> bool:
            s = settled()
            return (
                value(s, "alertsite_check_results_total", status="ok") == 1
                and value(s, "alertsite_delivery_attempts_total", kind="webhook", outcome="delivered") == 2
            )

        assert wait_for(moved, 60, 0.5)
        after = scrape()
        assert value(after, "alertsite_check_results_total", status="error") == 1
        assert value(after, "alertsite_alerts_total", type="Ok") >= 1
        assert value(after, "alertsite_alerts_total", type="Acknowledged") >= 1
        assert value(after, "alertsite_delivery_attempts_total", kind="webhook", outcome="pending") >= 1
        assert value(after, "alertsite_messages", status="delivered", kind="webhook") == 2
        assert value(after, "alertsite_messages", status="pending", kind="webhook") >= 1  # the paused one's
        assert value(after, "alertsite_delivery_latency_seconds_count") == 2
        assert value(after, "alertsite_delivery_latency_seconds_sum") > 0
        assert value(after, "alertsite_integrations_paused") == 1
        assert value(after, "alertsite_incidents", status="open") == 0
        assert value(after, "alertsite_incidents", status="acknowledged") == 0
        assert value(after, "alertsite_worker_last_seen_seconds") < 60

        # Many scrapes at once, on both web processes, while new rows settle:
        # the counters agree with each other and with the rows (none counted twice).
        for n in range(20):
            r = http.post(
                f"{base}/api/v1/alerts",
                json={"monitor": f"extra-{n}", "status": "ok"},
                headers=auth,
                timeout=30,
            )
            assert r.status_code == 202
        with ThreadPoolExecutor(max_workers=8) as pool:
            for _ in range(5):
                answers = list(pool.map(lambda _: scrape(), range(8)))
                time.sleep(0.6)
        final = answers[-1]
        truth_checks = dict(CheckResult.objects.values_list("status").annotate(n=Count("pk")))
        truth_alerts = dict(Alert.objects.values_list("alert_type").annotate(n=Count("pk")))
        truth_attempts = dict(MessageAttempt.objects.values_list("outcome").annotate(n=Count("pk")))
        for samples in answers:
            for status, count in truth_checks.items():
                assert value(samples, "alertsite_check_results_total", status=status) == count
            for alert_type, count in truth_alerts.items():
                assert value(samples, "alertsite_alerts_total", type=alert_type) == count
            for outcome, count in truth_attempts.items():
                assert (
                    value(samples, "alertsite_delivery_attempts_total", kind="webhook", outcome=outcome)
                    == count
                )
        assert value(final, "alertsite_check_results_total", status="ok") == 21
    finally:
        for cluster in clusters:
            cluster.stop()
        good.stop()
        bad.stop()
    time.sleep(0.5)

    # Every line of every process is one JSON object with the listed fields.
    logs = {
        "web": web_log,
        "qcluster-1": tmp_path / "qcluster-1.log",
        "qcluster-2": tmp_path / "qcluster-2.log",
    }
    lines: dict[str, list[dict]] = {}
    for name, path in logs.items():
        text = path.read_text()
        for secret in (raw_key, ping_token, TOKEN):
            assert secret not in text, f"a secret in the {name} log"
        parsed = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                pytest.fail(f"{name} line {number} is not JSON: {line[:300]}")
            assert isinstance(entry, dict)
            assert {"time", "level", "logger", "message", "pid"} <= set(entry), line
            parsed.append(entry)
        lines[name] = parsed
    requests_logged = [e for e in lines["web"] if e["logger"] == "alertsite.request"]
    for entry in requests_logged:
        assert {"request_id", "method", "path", "status", "duration_ms"} <= set(entry), entry
    first = next(e for e in requests_logged if e["request_id"] == "obs-req-1")
    assert (first["method"], first["path"], first["status"]) == ("POST", "/api/v1/alerts", 202)
    pinged = [e for e in requests_logged if e["path"].startswith("/ping/")]
    assert pinged and all("********" in e["path"] for e in pinged)
    # Both web processes answered scrapes.
    assert len({e["pid"] for e in requests_logged if e["path"] == "/metrics"}) == 2
    assert any(e["logger"].startswith("gunicorn") for e in lines["web"])
    worker_lines = lines["qcluster-1"] + lines["qcluster-2"]
    delivered = [e for e in worker_lines if "delivered in" in e["message"]]
    assert delivered and all(
        e["task"].endswith("deliver") and isinstance(e["message_id"], int) for e in delivered
    )
    assert {e["message_id"] for e in delivered} == set(
        Message.objects.filter(integration=good_hook).values_list("pk", flat=True)
    )
    failed = [e for e in worker_lines if "attempt failed" in e["message"]]
    assert failed and all(e["level"] == "WARNING" and "task_id" in e for e in failed)
