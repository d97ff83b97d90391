"""A real Prometheus Alertmanager (the Debian package ``prometheus-alertmanager``,
which ``bin/test`` installs when it is missing) notifying the live server
through its webhook receiver: an alert posted to Alertmanager's API becomes an
incident here, and its resolve resolves the incident."""

from __future__ import annotations

import datetime as dt
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from alerting.models import Alert, ApiKey, InboundPayload, Incident

CONFIG = """route:
  receiver: alertsite
  group_by: [alertname, instance]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: alertsite
    webhook_configs:
      - url: {url}
        send_resolved: true
        max_alerts: 1000
        http_config:
          authorization:
            type: Bearer
            credentials: {key}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Callable[[], Any], what: str, timeout: float = 40) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture
def alertmanager(live_server, tmp_path: Path) -> Iterator[str]:
    binary = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    if binary is None:
        pytest.fail("Alertmanager is not installed: bin/test installs the package prometheus-alertmanager")
    _, raw = ApiKey.generate("alertmanager", "ingest")
    config = tmp_path / "alertmanager.yml"
    config.write_text(CONFIG.format(url=f"{live_server.url}/api/v1/inbound/alertmanager", key=raw))
    port = free_port()
    log = (tmp_path / "alertmanager.log").open("wb")
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.path={tmp_path}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        assert process.poll() is None, (tmp_path / "alertmanager.log").read_text()
        try:
            return requests.get(f"{url}/-/ready", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    try:
        wait_for(ready, "Alertmanager to start")
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def post_alert(url: str, **fields: Any) -> None:
    alert = {
        "labels": {"alertname": "DiskFull", "instance": "db-1:9100", "severity": "page"},
        "annotations": {"summary": "db-1: /var is 97% full"},
        "generatorURL": "http://prometheus.example:9090/graph?g0.expr=up",
        **fields,
    }
    response = requests.post(f"{url}/api/v2/alerts", json=[alert], timeout=10)
    assert response.status_code == 200, response.text


@pytest.mark.django_db(transaction=True)
def test_alertmanager_alert_opens_and_its_resolve_resolves_an_incident(alertmanager):
    started = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=1)
    post_alert(alertmanager, startsAt=started.isoformat())

    incident = wait_for(
        lambda: Incident.objects.filter(monitor__key="DiskFull/db-1:9100").first(), "the incident to open"
    )
    assert incident.resolved_at is None
    assert incident.first_error.description == "db-1: /var is 97% full"
    assert incident.first_error.timestamp == started
    assert incident.monitor.custom_fields["severity"] == "page"
    assert [a.alert_type for a in Alert.objects.filter(incident=incident)] == ["Alert"]

    ended = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(seconds=1)
    post_alert(alertmanager, startsAt=started.isoformat(), endsAt=ended.isoformat())

    def resolved() -> Incident | None:
        incident.refresh_from_db()
        return incident if incident.resolved_at is not None else None

    wait_for(resolved, "the incident to resolve")
    assert incident.resolved_at == ended
    assert sorted(a.alert_type for a in Alert.objects.filter(incident=incident)) == ["Alert", "Ok"]
    # What Alertmanager sent is on the Inbound sources page: accepted, its own user agent.
    kept = list(InboundPayload.objects.filter(format="alertmanager").order_by("id"))
    assert kept and all(p.status_code == 202 for p in kept)
    assert kept[0].user_agent.startswith("Alertmanager/")
    assert '"version": "4"' in kept[0].body
