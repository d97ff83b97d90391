"""The usual Django deploy, ``manage.py migrate`` and start, leaves a working
service: no ``createcachetable`` step (the cache table, the API rate counters
and the worker heartbeat are created by migrations). Run on a database of its
own, empty before ``migrate``: a SQLite file, or a scratch PostgreSQL database
when the suite runs on PostgreSQL; without Redis, as the default install."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
import requests
from django.db import connection

from tests.delivery.cluster import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    name = f"alertsite_migrate_{uuid.uuid4().hex[:8]}"
    params = {"host": s["HOST"] or "127.0.0.1", "port": s["PORT"] or 5432, "user": s["USER"]}
    if s.get("PASSWORD"):
        params["password"] = s["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = quote(s["USER"] or "") + (":" + quote(s["PASSWORD"]) if s.get("PASSWORD") else "")
    try:
        yield f"postgres://{auth}@{params['host']}:{params['port']}/{name}"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_migrate_then_start_serves_ingest(empty_database: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(DATA_DIR=str(tmp_path / "data"), DATABASE_URL=empty_database, LOG_LEVEL="WARNING")
    manage(env, "migrate", "--noinput")
    # Nothing left for the step the README used to ask for.
    left = manage(env, "createcachetable", "--dry-run")
    assert "already exists" in left and "CREATE TABLE" not in left
    raw = manage(env, "create_api_key", "migrate-only", "--scope", "ingest").strip()

    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "alertsite.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert requests.get(f"{base}/healthz", timeout=5).status_code == 200
                break
            except requests.RequestException:  # not listening yet, or still loading
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        headers = {"Authorization": f"Bearer {raw}"}
        for body in ({"status": "error", "description": "HTTP 503"}, {"status": "ok"}):
            answer = requests.post(
                f"{base}/api/v1/alerts", json={"monitor": "fresh", **body}, headers=headers, timeout=10
            )
            assert answer.status_code == 202, answer.text
        # No worker runs here: the delivery check says so, in JSON, and only that.
        health = requests.get(f"{base}/healthz/delivery", timeout=10)
        assert health.status_code == 503 and health.json()["failing"] == ["worker"]
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=20)
    assert "Traceback" not in errors, errors
