"""What every built-in kind's text needs: the reader's language, limits, JSON."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings

from integrations.transports.outgoing import Outgoing


def reader_language(out: Outgoing) -> str:
    """The Django language ``out`` is written in: the reader's, else the account's."""
    return out.language or settings.ACCOUNT_LANGUAGE


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def json_body(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False)
