"""The log filter masks secret-looking text that slips into a log line."""

from __future__ import annotations

import logging
import random
import string
from pathlib import Path

import pytest

from alertsite.log_redaction import MASK, RedactSecretsFilter, redact
from tests.security.conftest import manage, new_key

SLACK = "https://hooks.slack.com/services/T0123ABCD/B0123ABCD/abcdefghijklmnopqrstuvwx"
TELEGRAM_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
DISCORD_TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz-_0123456789abcdefghijklmnopqrstuv"


@pytest.mark.parametrize(
    ("line", "secret", "kept"),
    [
        (f"POST {SLACK} failed", "abcdefghijklmnopqrstuvwx", "https://hooks.slack.com/services/"),
        (
            f"GET https://api.telegram.org/bot{TELEGRAM_TOKEN}/sendMessage?chat_id=-100123",
            "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
            "https://api.telegram.org/",
        ),
        (f"token {TELEGRAM_TOKEN} refused", "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "refused"),
        (
            f"https://discord.com/api/webhooks/123456789012345678/{DISCORD_TOKEN}",
            DISCORD_TOKEN,
            "https://discord.com/api/webhooks/",
        ),
        (
            "https://chat.googleapis.com/v1/spaces/AAA/messages?key=KEYkey123&token=TOKtok456",
            "KEYkey123",
            "key=",
        ),
        (
            "https://chat.googleapis.com/v1/spaces/AAA/messages?key=KEYkey123&token=TOKtok456",
            "TOKtok456",
            "token=",
        ),
        ("connect to https://user:pa55word@db.example.com/x", "pa55word", "https://user:"),
        ("Authorization: Bearer sk_live_abcdefgh12345", "sk_live_abcdefgh12345", "Bearer"),
        ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA==", "Basic"),
        ("Authorization: NTLM TlRMTVNTUAADAAAAGAAYAHIAAAA=", "TlRMTVNTUAADAAAAGAAYAHIAAAA=", "NTLM"),
        ('{"password": "hunter22hunter"}', "hunter22hunter", "password"),
        ("api_key=0123abcd4567", "0123abcd4567", "api_key="),
        ("key as_AbCdEfGhIjKlMnOpQrStUvWxYz012345 used", "as_AbCdEfGhIjKlMnOpQrStUvWxYz012345", "used"),
        ("stored enc:v1:gAAAAABk-abc_def== here", "gAAAAABk-abc_def==", "stored"),
        (
            f'http://127.0.0.1:41234 "POST /bot{TELEGRAM_TOKEN}/sendMessage HTTP/1.1" 200 None',
            "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
            "/sendMessage HTTP/1.1",
        ),
        (
            '"POST /services/T0123ABCD/B0123ABCD/abcdefghijklmnopqrstuvwx HTTP/1.1" 200',
            "abcdefghijklmnopqrstuvwx",
            '"POST /services/',
        ),
        ('"GET /hook?token=s3cr3tvalue&x=1 HTTP/1.1"', "s3cr3tvalue", "/hook?token="),
    ],
)
def test_redact(line: str, secret: str, kept: str) -> None:
    shown = redact(line)
    assert secret not in shown
    assert MASK in shown
    assert kept in shown


def test_plain_lines_are_left_alone() -> None:
    for line in (
        "GET /api/v1/incidents HTTP/1.1 200",
        "Delivered message 42 to Slack in 120 ms",
        "https://example.com/api/v1/alerts returned 503",
        "GET /api/v1/incidents/web-1 HTTP/1.1 404",
        "ratio 3/4 and 10.5/7 kept; 2026-11-27 21:38:36,208 INFO",
    ):
        assert redact(line) == line


@pytest.mark.parametrize(
    "line",
    [
        # A traceback must still say which file and which Python.
        '  File "/srv/app/.venv/lib/python3.11/site-packages/django/core/handlers/exception.py", line 55',
        '  File "/root/.pyenv/versions/3.11.7/lib/python3.11/contextlib.py", line 81, in inner',
        '  File "/srv/app/tests/security/test_outbound_enforced.py", line 12, in test_x',
        # Ids say which object failed: UUIDs, numbers, monitor keys.
        "Internal Server Error: /api/v1/alert-definitions/1ccade72-6a5c-4747-96e4-c63855b118d8",
        '"GET /api/v1/integrations/A371F2A7-6760-48C9-A182-2C884A684C10 HTTP/1.1" 404',
        '"GET /admin/alerting/alert/4242/change/ HTTP/1.1" 302',
        '"GET /api/v1/monitors/web-server-01 HTTP/1.1" 200',
        "https://discord.com/api/webhooks/123456789012345678 answered 404",
    ],
)
def test_identifiers_and_file_names_are_kept(line: str) -> None:
    assert redact(line) == line


def test_random_url_safe_tokens_in_paths_are_masked() -> None:
    # Ping tokens are secrets.token_urlsafe(24): 32 characters that may hold
    # "-" and "_". Every one of many random ones must be masked, however split.
    alphabet = string.ascii_letters + string.digits + "-_"
    rng = random.Random(12)
    for _ in range(3000):
        token = "".join(rng.choice(alphabet) for _ in range(32))
        shown = redact(f'"GET /ping/{token}/fail HTTP/1.1" 200')
        assert token not in shown
        assert shown == f'"GET /ping/{MASK}/fail HTTP/1.1" 200'


def test_filter_rewrites_arguments_and_tracebacks() -> None:
    try:
        raise ValueError(f"cannot reach {SLACK}")
    except ValueError:
        import sys

        exc_info = sys.exc_info()
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "sending to %s", (SLACK,), exc_info)
    assert RedactSecretsFilter().filter(record) is True
    formatted = logging.Formatter().format(record)
    assert "abcdefghijklmnopqrstuvwx" not in formatted
    assert "ValueError: cannot reach https://hooks.slack.com/services/" in formatted


LOG = f"""
import logging
logging.getLogger("integrations.delivery").error("sending to %s failed", "{SLACK}")
logging.getLogger("django-q").error("Failed task: Authorization: Bearer sk_live_abcdefgh12345")
try:
    raise RuntimeError("refused {SLACK}")
except RuntimeError:
    logging.getLogger("alerting").exception("boom")
"""


def test_configured_logging_masks_every_logger(data_dir: Path) -> None:
    result = manage(data_dir, "shell", "-c", LOG, FIELD_ENCRYPTION_KEYS=new_key())
    assert result.returncode == 0, result.stderr
    assert "sending to https://hooks.slack.com/services/" in result.stderr
    assert "RuntimeError: refused https://hooks.slack.com/services/" in result.stderr
    assert "Bearer ********" in result.stderr
    assert "abcdefghijklmnopqrstuvwx" not in result.stderr
    assert "sk_live_abcdefgh12345" not in result.stderr
