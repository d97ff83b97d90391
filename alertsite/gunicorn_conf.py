"""gunicorn's settings (``gunicorn -c python:alertsite.gunicorn_conf``).

With ``LOG_FORMAT=json`` gunicorn's own lines (start-up, worker boots and
exits, errors) are JSON objects like the app's, through the same secret
filter. Its access log is left off then: the app logs each request itself,
with its request id (``alertsite.observability.request_ids``).
"""

from __future__ import annotations

import os
from typing import Any

logconfig_dict: dict[str, Any] = {}

if os.environ.get("LOG_FORMAT", "plain").strip().lower() == "json":
    logconfig_dict = {
        "root": {"level": "INFO", "handlers": ["json"]},
        "loggers": {
            "gunicorn.error": {
                "level": "INFO",
                "handlers": ["json"],
                "propagate": False,
                "qualname": "gunicorn.error",
            },
            "gunicorn.access": {
                "level": "WARNING",
                "handlers": [],
                "propagate": False,
                "qualname": "gunicorn.access",
            },
        },
        "handlers": {
            "json": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["redact_secrets"],
                "stream": "ext://sys.stderr",
            }
        },
        "filters": {"redact_secrets": {"()": "alertsite.log_redaction.RedactSecretsFilter"}},
        "formatters": {"json": {"()": "alertsite.observability.jsonlog.JsonFormatter"}},
    }
