"""Settings parse the environment: each case runs a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from alertsite import env

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST"),
    "options": db.get("OPTIONS", {}), "debug": settings.DEBUG, "hosts": settings.ALLOWED_HOSTS,
    "q": settings.Q_CLUSTER, "tz": settings.TIME_ZONE, "base": settings.PUBLIC_BASE_URL,
    "email": settings.EMAIL_BACKEND, "anymail": settings.ANYMAIL, "secret": settings.SECRET_KEY,
    "keys": settings.FIELD_ENCRYPTION_KEYS, "cache": settings.CACHES["default"]["BACKEND"],
    "cookie_secure": getattr(settings, "SESSION_COOKIE_SECURE", False),
    "hsts": getattr(settings, "SECURE_HSTS_SECONDS", 0),
}))
"""


def run_probe(tmp_path: Path, **overrides: str) -> subprocess.CompletedProcess[str]:
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "DEBUG"}
    }
    environ.update({"DJANGO_SETTINGS_MODULE": "alertsite.settings", "DATA_DIR": str(tmp_path)})
    environ.update(overrides)
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60
    )


def probe(tmp_path: Path, **overrides: str) -> dict:
    result = run_probe(tmp_path, **overrides)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_embedded_default_needs_no_setup(tmp_path: Path) -> None:
    conf = probe(tmp_path)
    assert conf["engine"] == "django.db.backends.sqlite3"
    assert conf["name"] == str(tmp_path / "alertsite.sqlite3")
    assert conf["options"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in conf["options"]["init_command"]
    assert conf["debug"] is False
    assert "orm" in conf["q"] and "redis" not in conf["q"]
    assert conf["q"]["timeout"] < conf["q"]["retry"]
    # The generated secrets are kept in the data folder and reused.
    assert (tmp_path / "secret_key").read_text().strip() == conf["secret"]
    assert probe(tmp_path)["secret"] == conf["secret"]
    assert probe(tmp_path)["keys"] == conf["keys"]
    assert oct((tmp_path / "field_encryption_key").stat().st_mode & 0o777) == "0o600"


def test_database_and_redis_urls(tmp_path: Path) -> None:
    conf = probe(
        tmp_path,
        DATABASE_URL="postgres://u:p@db.example:5433/alerts",
        REDIS_URL="redis://cache.example:6379/1",
    )
    assert conf["engine"] == "alertsite.db.postgresql"  # Django's, subclassed
    assert conf["name"] == "alerts"
    assert conf["host"] == "db.example"
    # The broker gets connect and read timeouts, so a hung Redis fails a hand-off instead of holding it.
    assert conf["q"]["redis"] == "redis://cache.example:6379/1?socket_connect_timeout=2&socket_timeout=5"
    assert "orm" not in conf["q"]
    assert conf["cache"] == "django.core.cache.backends.redis.RedisCache"


def test_plain_settings(tmp_path: Path) -> None:
    conf = probe(
        tmp_path,
        DEBUG="true",
        ALLOWED_HOSTS="alerts.example.com, other.example.com",
        TIME_ZONE="Europe/Amsterdam",
        PUBLIC_BASE_URL="https://alerts.example.com/",
        SECRET_KEY="from-the-environment",
        EMAIL_BACKEND="anymail.backends.postmark.EmailBackend",
        ANYMAIL_POSTMARK_SERVER_TOKEN="tok",
    )
    assert conf["debug"] is True
    assert conf["hosts"] == ["alerts.example.com", "other.example.com"]
    assert conf["tz"] == "Europe/Amsterdam"
    assert conf["base"] == "https://alerts.example.com"
    assert conf["secret"] == "from-the-environment"
    assert conf["email"] == "anymail.backends.postmark.EmailBackend"
    assert conf["anymail"] == {"POSTMARK_SERVER_TOKEN": "tok"}


def test_https_deployment_turns_security_on(tmp_path: Path) -> None:
    conf = probe(tmp_path, PUBLIC_BASE_URL="https://alerts.example.com")
    assert conf["cookie_secure"] is True
    assert conf["hsts"] > 0


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be true or false"),
        ("FIELD_ENCRYPTION_KEYS", "not-a-key", "FIELD_ENCRYPTION_KEYS: key #1 is not a valid key"),
        ("Q_WORKERS", "many", "Q_WORKERS must be a whole number"),
        ("DATABASE_URL", "nosuchdb://x", "DATABASE_URL is not a valid database URL"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT must be 'plain' or 'json'"),
        ("METRICS_SETTLE_SECONDS", "soon", "METRICS_SETTLE_SECONDS must be a whole number"),
    ],
)
def test_bad_values_fail_with_a_clear_message(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    result = run_probe(tmp_path, **{variable: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_env_helpers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_LIST", " a, b ,,c ")
    assert env.env_list("X_LIST", []) == ["a", "b", "c"]
    monkeypatch.setenv("X_INTS", "30,120")
    assert env.env_int_list("X_INTS", [1]) == [30, 120]
    monkeypatch.delenv("X_MISSING", raising=False)
    assert env.env_bool("X_MISSING", True) is True
    monkeypatch.setenv("X_NUM", "0")
    with pytest.raises(Exception, match="at least 1"):
        env.env_int("X_NUM", 5, minimum=1)
