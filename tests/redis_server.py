"""A Redis server for tests that need one whatever the run's broker: the run's
own server (a database number of our own), or a private redis-server when none
is running. Used as a fixture through tests/conftest.py."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The run's Redis server (a database number of our own), or a private one."""
    configured = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    url = urlunsplit(urlsplit(configured)._replace(path="/4"))
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        yield url
        return
    except redis.exceptions.ConnectionError:
        pass
    binary = shutil.which("redis-server")
    assert binary, "this test needs a Redis server: none is running and redis-server is not installed"
    port = _free_port()
    directory = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/4"
    deadline = time.monotonic() + 10
    while not _pings(url):
        assert time.monotonic() < deadline, "the private redis-server did not start"
        time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=10)


def _pings(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.exceptions.ConnectionError:
        return False
