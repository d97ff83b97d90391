"""``LOG_FORMAT=json``: one JSON object a line.

Every line has ``time`` (UTC, ISO 8601), ``level``, ``logger`` and
``message`` (and ``pid``); inside a request also ``request_id``, ``method`` and ``path``
(the request's own summary line adds ``status`` and ``duration_ms``); in the
worker ``task`` and ``task_id``, and ``message_id`` while a message is being
sent. The handler's secret filter (``alertsite.log_redaction``) has already
rewritten the message and traceback; the path is masked here the same way,
as a ping URL carries its token in the path.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from alertsite.log_redaction import redact
from alertsite.observability import logcontext

# Fields a caller may pass with ``extra=``; other record attributes are logging's own.
EXTRA_FIELDS = ("status", "duration_ms")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            # Several web and worker processes write to one stream or collector.
            "pid": record.process,
        }
        for name, value in logcontext.current().items():
            line[name] = redact(value) if isinstance(value, str) else value
        for name in EXTRA_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(self.formatException(record.exc_info))
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False, default=str)
