"""Keeping the last payloads each format received, with their answers."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.db import DatabaseError, transaction

from alerting.models import ApiKey, InboundPayload

logger = logging.getLogger(__name__)

KEPT_PER_FORMAT = 20
MAX_BODY = 64 * 1024


def record(slug: str, headers: Any, api_key: ApiKey | None, data: Any, status_code: int, answer: Any) -> None:
    """Store one payload and drop the format's oldest beyond ``KEPT_PER_FORMAT``.

    Only the content type and the user agent of the headers are kept (never
    Authorization). A failure here is logged, not raised: the alert itself
    is already recorded and answered.
    """
    body = data if isinstance(data, str) else json.dumps(data, indent=2, ensure_ascii=False, default=str)
    try:
        with transaction.atomic():
            _store(slug, headers, api_key, body, status_code, answer)
    except DatabaseError:
        logger.exception("could not keep the received %s payload", slug)


def _store(slug: str, headers: Any, api_key: ApiKey | None, body: str, status_code: int, answer: Any) -> None:
    InboundPayload.objects.create(
        format=slug,
        api_key=api_key,
        content_type=str(headers.get("Content-Type", ""))[:200],
        user_agent=str(headers.get("User-Agent", ""))[:200],
        body=body[:MAX_BODY],
        body_truncated=len(body) > MAX_BODY,
        status_code=status_code,
        answer=answer if isinstance(answer, dict | list) else {},
    )
    recent = InboundPayload.objects.filter(format=slug).order_by("-id").values_list("id", flat=True)
    boundary = list(recent[KEPT_PER_FORMAT - 1 : KEPT_PER_FORMAT])
    if boundary:
        InboundPayload.objects.filter(format=slug, id__lt=boundary[0]).delete()
