"""A real Chromium (the system's, never a downloaded build) against a live
server, with a real django-q2 worker for delivery.

The live server runs in this process on the test database; the worker is a
``manage.py qcluster`` subprocess pointed at the same database (and broker).
"""

from __future__ import annotations

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
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"  # the Debian package bin/test installs
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "browser-pw-for-tests-only"


def receiver_url(server: object, path: str) -> str:
    """The local receiver by address: outbound calls are pinned to one resolved
    address, and the allowlist names 127.0.0.1. (The receiver is the shared
    session server, so its listen address is left as other tests expect it.)"""
    return f"http://127.0.0.1:{server.port}{path}"  # type: ignore[attr-defined]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[pytest.TestReport]:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def browser_context_factory() -> Iterator[Callable[..., object]]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread, which Django
    # takes for async code; the ORM calls here are plain synchronous test code.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        # A persistent context is the way to give Chromium its own empty profile
        # directory; each test then gets a fresh page and cookies.
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(15_000)

        def fresh(width: int = 1280, height: int = 900) -> object:
            context.clear_cookies()
            page = context.new_page()
            page.set_viewport_size({"width": width, "height": height})
            return page

        yield fresh
        context.close()
    if before is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def admin_user(transactional_db, django_user_model):  # type: ignore[no-untyped-def]
    return django_user_model.objects.create_superuser("browser", "browser@example.com", PASSWORD)


@pytest.fixture
def page(request, browser_context_factory, live_server, admin_user, settings):  # type: ignore[no-untyped-def]
    """A logged-in admin page; a screenshot is saved when the test fails."""
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    width = getattr(request, "param", 1280)
    page = browser_context_factory(width=width, height=900 if width > 800 else 844)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "browser")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.base = live_server.url
    yield page
    report = getattr(request.node, "report_call", None)
    if report is None or report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    page.close()


def database_url() -> str:
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker(transactional_db, tmp_path) -> Iterator[subprocess.Popen]:  # type: ignore[no-untyped-def]
    """``manage.py qcluster`` on the test database, with quick retries."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url(),
            "OUTBOUND_ALLOWLIST": "127.0.0.1",
            "Q_WORKERS": "1",
            "Q_TIMEOUT": "20",
            "DELIVERY_RETRY_SCHEDULE": "1",
            "DELIVERY_LINGER_SECONDS": "2",
            "DELIVERY_CONNECT_TIMEOUT": "1",
            "DELIVERY_READ_TIMEOUT": "4",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    log = open(tmp_path / "qcluster.log", "wb")  # noqa: SIM115 - the child writes to it
    process = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    yield process
    if process.poll() is None:
        # A graceful stop waits for the cluster's timers; nothing here needs it.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    log.close()
    if process.returncode not in (0, -signal.SIGTERM, -signal.SIGKILL):
        print((tmp_path / "qcluster.log").read_text(errors="replace")[-4000:])


def wait_until(condition: Callable[[], bool], timeout: float = 20, interval: float = 0.25) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(interval)
    return condition()
