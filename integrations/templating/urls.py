"""URLs with query parameters added by a template or a transport.

A receiver's URL often has a query of its own (Discord's ``?thread_id=999``,
Google Chat's ``?key=…&token=…``, a Teams workflow's ``?api-version=1&sig=…``),
and a preset adds parameters after it (``{{WebhookUrl}}?wait=true``). Pasting
the two together would give ``…?thread_id=999?wait=true``, which the receiver
reads as one value. ``merge_query`` is the one place that joins them; every
preset URL goes through ``render_url`` and every transport that adds
parameters calls ``merge_query``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from integrations.templating.parser import Text, parse
from integrations.templating.render import MAX_VALUE_CHARS, NO_FUNCTIONS, Functions, evaluate


def merge_query(url: str, params: str | Iterable[tuple[str, str]]) -> str:
    """``url`` with ``params`` added to its query (before any ``#fragment``).

    ``params`` is a raw query string (``"wait=true&x=1"``, used as written) or
    (name, value) pairs (encoded here). A parameter the URL already has under
    the same name is replaced: the caller asks for that value. The URL's other
    parameters are kept byte for byte, so signed URLs stay valid.
    """
    query = params if isinstance(params, str) else urlencode(list(params))
    query = query.lstrip("?&")
    if not query:
        return url
    base, hash_mark, fragment = url.partition("#")
    path, _question, existing = base.partition("?")
    added = {_name(part) for part in query.split("&") if part}
    kept = [part for part in existing.split("&") if part and _name(part) not in added]
    merged = "&".join([*kept, query])
    return f"{path}?{merged}{hash_mark}{fragment}"


def _name(part: str) -> str:
    return part.split("=", 1)[0]


def render_url(
    template: str,
    context: Mapping[str, Any],
    *,
    max_value_chars: int = MAX_VALUE_CHARS,
    functions: Functions = NO_FUNCTIONS,
) -> str:
    """Render a URL template; a query the template's own text starts after a
    placeholder (``{{WebhookUrl}}?wait=true``, ``{{WebhookUrl}}&opt=1``) is
    merged into the query the placeholder's value may already have."""
    nodes, _errors = parse(template)
    budget = [max_value_chars]
    parts: list[str] = []
    length = 0
    after_placeholder = False
    separator_at: int | None = None
    for node in nodes:
        if isinstance(node, Text):
            if after_placeholder and separator_at is None:
                index = _query_start(node.value)
                if index is not None:
                    separator_at = length + index
        else:
            after_placeholder = True
        text = evaluate(node, context, budget, functions)
        parts.append(text)
        length += len(text)
    url = "".join(parts)
    if separator_at is None:
        return url.strip()
    return merge_query(url[:separator_at], url[separator_at + 1 :]).strip()


def _query_start(text: str) -> int | None:
    """Where literal text after a placeholder starts a query: its first ``?``
    (before any ``#``), or a leading ``&`` (a template that assumed the value
    already had a query)."""
    if text.startswith("&"):
        return 0
    question = text.find("?")
    fragment = text.find("#")
    if question != -1 and (fragment == -1 or question < fragment):
        return question
    return None
