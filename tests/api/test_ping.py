"""Ping URLs (``/ping/<token>``): Healthchecks' shapes, no API key, the body
cap, unknown tokens, the per-token rate limit; the URL in the API, the admin
and rotation; the heartbeat fields in the API, the admin and the config file."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import time

import pytest
import requests
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from alerting.models import CheckResult, Incident, Monitor, PingToken
from alerting.ping import BODY_LIMIT
from alertsite.log_redaction import RedactSecretsFilter
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

BASE = "http://testserver.example"


@pytest.fixture(autouse=True)
def public_base_url(settings):
    settings.PUBLIC_BASE_URL = BASE


@pytest.fixture
def monitor() -> Monitor:
    return Monitor.objects.create(key="nightly-backup", name="Nightly backup")


@pytest.fixture
def path(monitor) -> str:
    return PingToken.for_monitor(monitor).url.removeprefix(BASE)


@pytest.fixture
def client() -> Client:
    # CSRF is checked as in production: pings must not need a token.
    return Client(enforce_csrf_checks=True)


def results(monitor: Monitor) -> list[tuple[str, str]]:
    return [(r.status, r.description) for r in CheckResult.objects.filter(monitor=monitor).order_by("id")]


def assert_ok(response) -> None:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == b"OK" or response.request["REQUEST_METHOD"] == "HEAD"


def test_get_post_and_head_report_ok_without_an_api_key(client, monitor, path):
    assert_ok(client.get(path))
    assert_ok(client.post(path, "all good", content_type="text/plain"))
    head = client.head(path)
    assert_ok(head)
    assert head.content == b""
    assert results(monitor) == [("ok", ""), ("ok", "all good"), ("ok", "")]
    monitor.refresh_from_db()
    assert monitor.last_status == "ok"


def test_fail_records_an_error_with_the_body_as_description_and_the_next_ok_resolves(client, monitor, path):
    assert_ok(client.post(f"{path}/fail", "backup.sh: disk full\n", content_type="text/plain"))
    incident = Incident.objects.get(monitor=monitor)
    assert incident.resolved_at is None
    assert incident.first_error_description == "backup.sh: disk full"
    assert_ok(client.get(f"{path}/fail"))  # no body: a description all the same
    assert_ok(client.get(path))
    incident.refresh_from_db()
    assert incident.resolved_at is not None
    assert results(monitor) == [
        ("error", "backup.sh: disk full"),
        ("error", "Failure signalled by ping"),
        ("ok", ""),
    ]


def test_exit_status(client, monitor, path):
    assert_ok(client.get(f"{path}/0"))
    assert_ok(client.post(f"{path}/1", "tar: file changed as we read it", content_type="text/plain"))
    assert_ok(client.get(f"{path}/255"))
    assert results(monitor) == [
        ("ok", ""),
        ("error", "exit status 1\ntar: file changed as we read it"),
        ("error", "exit status 255"),
    ]
    for bad in ("256", "1000", "99999999999999999999"):
        response = client.get(f"{path}/{bad}")
        assert (response.status_code, response.content) == (400, b"invalid url format")
    assert len(results(monitor)) == 3


def test_start_then_ok_records_the_run_duration(client, monitor, path):
    assert_ok(client.get(f"{path}/start"))
    assert results(monitor) == []  # a start is no result
    token = PingToken.objects.get(monitor=monitor)
    assert token.started_at is not None
    # The run took 83.2 seconds.
    PingToken.objects.filter(pk=token.pk).update(started_at=token.started_at - dt.timedelta(seconds=83.2))
    assert_ok(client.post(path, "3 files", content_type="text/plain"))
    [(status, description)] = results(monitor)
    assert status == "ok"
    assert description.startswith("3 files\nRun took 83.")
    assert PingToken.objects.get(pk=token.pk).started_at is None
    # The run has ended: the next OK records no duration.
    assert_ok(client.get(path))
    assert results(monitor)[-1] == ("ok", "")
    # A failed run says how long it took too.
    client.get(f"{path}/start")
    client.get(f"{path}/2")
    assert results(monitor)[-1][1].startswith("exit status 2\nRun took ")


def test_body_is_capped_at_10_kb_and_nul_characters_dropped(client, monitor, path):
    body = ("x" * 100 + "\x00") * 200  # 20,200 bytes
    assert_ok(client.post(f"{path}/fail", body, content_type="text/plain"))
    [(_, description)] = results(monitor)
    kept = body.encode()[:BODY_LIMIT].decode().replace("\x00", "")
    assert description == kept
    assert len(description) < BODY_LIMIT
    response = client.get(path)
    assert response["Ping-Body-Limit"] == str(BODY_LIMIT)


def test_unknown_token_and_unknown_action_are_404_not_found(client, monitor, path):
    for unknown in ("/ping/no-such-token", "/ping/no-such-token/fail", f"{path}/restart", f"{path}/log"):
        response = client.get(unknown)
        assert (response.status_code, response.content) == (404, b"not found"), unknown
        assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert client.put(path).status_code == 405
    assert results(monitor) == []


def test_rate_limited_per_token(client, settings, monitor, path):
    settings.PING_RATE_LIMIT_PER_MINUTE = 3
    other = Monitor.objects.create(key="other", name="Other")
    other_path = PingToken.for_monitor(other).url.removeprefix(BASE)
    for _attempt in range(2):  # again if the requests straddled a minute boundary
        window = time.time() // 60
        answers = [client.get(path).status_code for _ in range(4)]
        if time.time() // 60 == window:
            break
        CheckResult.objects.filter(monitor=monitor).delete()
    assert answers == [200, 200, 200, 429]
    limited = client.get(path)
    assert limited.status_code == 429 and limited.content == b"rate limited"
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert len(results(monitor)) == 3  # what was refused recorded nothing
    assert client.get(other_path).status_code == 200  # another token has its own count


def test_the_token_is_stored_hashed_and_encrypted_and_masked_in_logs(monitor, path):
    raw = path.removeprefix("/ping/")
    assert len(raw) == 32
    token = PingToken.objects.get(monitor=monitor)
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {PingToken._meta.db_table}")
        [(stored,)] = cursor.fetchall()
    assert stored.startswith("enc:v1:") and raw not in stored
    for line in (f'"POST {path}/fail HTTP/1.1" 200 2', f"Not Found: {path}/1", f"GET {BASE}{path}/start"):
        record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, line, None, None)
        RedactSecretsFilter().filter(record)
        assert raw not in record.getMessage(), line
        assert "/ping/" in record.getMessage()


def test_ping_url_in_the_api_and_rotation(client, monitor):
    read, admin = client_for("read"), client_for("admin")
    answer = read.get("/api/v1/monitors/nightly-backup")
    assert answer.status_code == 200
    url = answer.json()["ping_url"]
    assert url.startswith(f"{BASE}/ping/") and len(url.removeprefix(f"{BASE}/ping/")) == 32
    assert read.get("/api/v1/monitors").json()["results"][0]["ping_url"] == url  # the same URL each time
    assert_ok(client.get(url.removeprefix(BASE)))

    assert read.post("/api/v1/monitors/nightly-backup/rotate-ping-url").status_code == 403
    assert client_for("ingest").post("/api/v1/monitors/nightly-backup/rotate-ping-url").status_code == 403
    assert admin.post("/api/v1/monitors/no-such-monitor/rotate-ping-url").status_code == 404
    rotated = admin.post(f"/api/v1/monitors/{monitor.pk}/rotate-ping-url")
    assert rotated.status_code == 200, rotated.content
    new_url = rotated.json()["ping_url"]
    assert new_url != url and rotated.json()["key"] == "nightly-backup"
    assert read.get("/api/v1/monitors/nightly-backup").json()["ping_url"] == new_url
    assert client.get(url.removeprefix(BASE)).status_code == 404  # the old URL is dead at once
    assert_ok(client.get(new_url.removeprefix(BASE)))


def test_a_key_with_slashes_still_rotates():
    Monitor.objects.create(key="jobs/db/backup", name="DB backup")
    rotated = client_for("admin").post("/api/v1/monitors/jobs/db/backup/rotate-ping-url")
    assert rotated.status_code == 200 and rotated.json()["key"] == "jobs/db/backup"


def test_heartbeat_fields_in_the_api():
    admin = client_for("admin")
    created = admin.post(
        "/api/v1/monitors",
        {"key": "cron", "name": "Cron", "expected_interval_seconds": 3600, "grace_seconds": 300},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["expected_interval_seconds"], body["grace_seconds"]) == (3600, 300)
    assert body["ping_url"].startswith(f"{BASE}/ping/")
    default = admin.post("/api/v1/monitors", {"key": "plain", "name": "Plain"}, format="json").json()
    assert (default["expected_interval_seconds"], default["grace_seconds"]) == (None, 60)

    bad = admin.patch(
        "/api/v1/monitors/cron", {"expected_interval_seconds": 30, "grace_seconds": -1}, format="json"
    )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"expected_interval_seconds", "grace_seconds"}
    cleared = admin.patch("/api/v1/monitors/cron", {"expected_interval_seconds": None}, format="json")
    assert cleared.status_code == 200 and cleared.json()["expected_interval_seconds"] is None


def test_heartbeat_fields_in_the_config_file(tmp_path):
    path = tmp_path / "alerting.yaml"
    path.write_text(
        "monitors:\n  - key: cron\n    name: Cron\n"
        "    expected_interval_seconds: 86400\n    grace_seconds: 3600\n"
    )
    out = io.StringIO()
    call_command("apply_config", str(path), stdout=out)
    monitor = Monitor.objects.get(key="cron")
    assert (monitor.expected_interval_seconds, monitor.grace_seconds) == (86400, 3600)
    exported = io.StringIO()
    call_command("export_config", stdout=exported)
    assert "expected_interval_seconds: 86400" in exported.getvalue()
    assert "grace_seconds: 3600" in exported.getvalue()

    path.write_text("monitors:\n  - key: cron\n    name: Cron\n    expected_interval_seconds: 10\n")
    with pytest.raises(CommandError, match=r"monitors\[cron\]\.expected_interval_seconds: .*60"):
        call_command("apply_config", str(path), stdout=io.StringIO())
    path.write_text("monitors:\n  - key: cron\n    name: Cron\n    grace_seconds: soon\n")
    with pytest.raises(CommandError, match=r"monitors\[cron\]\.grace_seconds: Enter a number"):
        call_command("apply_config", str(path), stdout=io.StringIO())
    assert Monitor.objects.get(key="cron").expected_interval_seconds == 86400  # nothing changed


def test_admin_shows_heartbeat_and_ping_url_with_copy_and_rotate(staff_client, monitor):
    url = PingToken.for_monitor(monitor).url
    page = staff_client.get(f"/admin/alerting/monitor/{monitor.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Heartbeat" in html and "expected_interval_seconds" in html and "grace_seconds" in html
    assert f'value="{url}"' in html
    assert "data-copy-ping-url" in html and "alerting/ping_url.js" in html
    rotate = f"/admin/alerting/monitor/{monitor.pk}/rotate-ping-url/"
    assert f'data-rotate-ping-url="{rotate}"' in html

    assert staff_client.get(rotate).status_code == 405  # only a POST rotates
    assert PingToken.objects.get(monitor=monitor).token == url.rsplit("/", 1)[1]
    done = staff_client.post(rotate)
    assert done.status_code == 302 and done["Location"] == f"/admin/alerting/monitor/{monitor.pk}/change/"
    new_url = PingToken.objects.get(monitor=monitor).url
    assert new_url != url
    assert new_url in staff_client.get(done["Location"]).content.decode()


def test_admin_list_action_rotates_and_the_form_validates_the_heartbeat(staff_client, monitor):
    old = PingToken.for_monitor(monitor).token
    other = Monitor.objects.create(key="other", name="Other")  # no token yet: rotating makes one
    answer = staff_client.post(
        "/admin/alerting/monitor/",
        {"action": "rotate_ping_urls", "_selected_action": [str(monitor.pk), str(other.pk)]},
    )
    assert answer.status_code == 302
    assert PingToken.objects.get(monitor=monitor).token != old
    assert PingToken.objects.filter(monitor=other).exists()

    form = {
        "key": monitor.key,
        "name": monitor.name,
        "custom_fields": "{}",
        "is_active": "on",
        "generate_alerts": "on",
        "expected_interval_seconds": "30",
        "grace_seconds": "120",
        "maintenance_periods-TOTAL_FORMS": "0",
        "maintenance_periods-INITIAL_FORMS": "0",
    }
    change = f"/admin/alerting/monitor/{monitor.pk}/change/"
    refused = staff_client.post(change, form)
    assert refused.status_code == 200
    assert "Ensure this value is greater than or equal to 60." in refused.content.decode()
    saved = staff_client.post(change, {**form, "expected_interval_seconds": "900"})
    assert saved.status_code == 302, saved.content.decode()[:2000]
    monitor.refresh_from_db()
    assert (monitor.expected_interval_seconds, monitor.grace_seconds) == (900, 120)


def test_view_only_staff_see_the_url_without_the_rotate_button(monitor, django_user_model):
    user = django_user_model.objects.create_user("viewer", password="pw-for-tests-only", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_monitor"))
    viewer = Client()
    viewer.force_login(user)
    html = viewer.get(f"/admin/alerting/monitor/{monitor.pk}/change/").content.decode()
    assert PingToken.for_monitor(monitor).url in html
    assert "data-rotate-ping-url" not in html
    assert viewer.post(f"/admin/alerting/monitor/{monitor.pk}/rotate-ping-url/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_cron_style_requests_over_real_http(live_server):
    """What the README's curl lines send, over a real socket to a live server."""
    monitor = Monitor.objects.create(key="cron", name="Cron")
    url = live_server.url + PingToken.for_monitor(monitor).url.removeprefix(BASE)
    assert requests.head(url, timeout=10).status_code == 200
    assert requests.get(f"{url}/start", timeout=10).text == "OK"
    # curl --data-binary sends its body as a form; the body is kept as it came.
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    answer = requests.post(f"{url}/1", data=b"rsync: connection refused&x=1\n", headers=form, timeout=10)
    assert (answer.status_code, answer.text, answer.headers["Content-Type"]) == (
        200,
        "OK",
        "text/plain; charset=utf-8",
    )
    assert requests.post(url, data=b"", timeout=10).text == "OK"
    found = [(s, d.split("\n")[:2]) for s, d in results(monitor)]
    failed = ["exit status 1", "rsync: connection refused&x=1"]
    assert found == [("ok", [""]), ("error", failed), ("ok", [""])]
    assert requests.get(live_server.url + "/ping/not-a-token", timeout=10).status_code == 404
