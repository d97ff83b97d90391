from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
# Variables a subprocess must not inherit from the test run: each case sets its own.
CLEARED = {
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEYS",
    "DEBUG",
    "ALLOWED_HOSTS",
    "PUBLIC_BASE_URL",
    "BEHIND_TLS_PROXY",
    "DJANGO_SETTINGS_MODULE",
}


def new_key() -> str:
    return Fernet.generate_key().decode()


def manage(data_dir: Path, *args: str, timeout: int = 120, **env: str) -> subprocess.CompletedProcess[str]:
    """Run manage.py in a fresh interpreter on a SQLite database in ``data_dir``."""
    environ = {k: v for k, v in os.environ.items() if k not in CLEARED}
    environ.update({"DJANGO_SETTINGS_MODULE": "alertsite.settings", "DATA_DIR": str(data_dir)})
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path
