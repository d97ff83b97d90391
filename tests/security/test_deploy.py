"""Production settings as the README documents them: security on, `check --deploy` clean."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from tests.security.conftest import manage, new_key


def production_env() -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(60),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "alerts.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://alerts.example.com",
        "PUBLIC_BASE_URL": "https://alerts.example.com",
        "FIELD_ENCRYPTION_KEYS": new_key(),
        "BEHIND_TLS_PROXY": "true",
    }


def test_check_deploy_is_clean(data_dir: Path) -> None:
    result = manage(data_dir, "check", "--deploy", "--fail-level", "WARNING", **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_check_deploy_flags_an_insecure_setup(data_dir: Path) -> None:
    # The same check fails when the documented settings are left out, so the test above means something.
    env = production_env() | {"SECRET_KEY": "short", "PUBLIC_BASE_URL": "http://alerts.example.com"}
    result = manage(data_dir, "check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "security.W009" in result.stderr  # SECRET_KEY too short
    assert "security.W004" in result.stderr  # no HSTS without https


PROBE = """
import json
from django.conf import settings
from django.test import Client
c = Client(HTTP_HOST="alerts.example.com")
secure = c.get("/admin/login/", secure=True)
plain = c.get("/admin/login/")
health = c.get("/healthz")
print(json.dumps({
    "session_secure": settings.SESSION_COOKIE_SECURE, "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "session_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "hsts": secure.headers.get("Strict-Transport-Security"),
    "frame": secure.headers.get("X-Frame-Options"),
    "nosniff": secure.headers.get("X-Content-Type-Options"),
    "referrer": secure.headers.get("Referrer-Policy"),
    "cookies": {k: {"secure": v["secure"], "httponly": v["httponly"]} for k, v in secure.cookies.items()},
    "plain": [plain.status_code, plain.headers.get("Location")],
    "health": health.status_code,
    "proxied": c.get("/admin/login/", HTTP_X_FORWARDED_PROTO="https").status_code,
}))
"""


def test_security_headers_and_cookies_when_debug_is_off(data_dir: Path) -> None:
    assert manage(data_dir, "migrate", "--noinput", **production_env()).returncode == 0
    result = manage(data_dir, "shell", "-c", PROBE, **production_env())
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["session_secure"] is True
    assert seen["csrf_secure"] is True
    assert seen["session_httponly"] is True
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert seen["frame"] == "DENY"
    assert seen["nosniff"] == "nosniff"
    assert seen["referrer"] == "same-origin"
    assert seen["cookies"]["csrftoken"]["secure"] is True
    # Plain http is redirected to https, except the health probe; behind the
    # TLS proxy its X-Forwarded-Proto header counts as https.
    assert seen["plain"] == [301, "https://alerts.example.com/admin/login/"]
    assert seen["health"] == 200
    assert seen["proxied"] == 200
