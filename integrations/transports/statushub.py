"""StatusHub: one request per service the level links to the alert's monitor.

StatusHub's Uptrends hook payload is not published, so the request is a step
like a custom integration's: the kind's default steps (``kinds.json``) unless
the integration has steps of its own. ``{{ServiceName}}`` and
``{{ServiceWebhookUrl}}`` name the service being updated.
"""

from __future__ import annotations

import requests

from integrations import kinds
from integrations.captures import chain_for
from integrations.transports.base import Exchange, TransportError
from integrations.transports.outgoing import Outgoing
from integrations.transports.webhook import run_chain


def notify(out: Outgoing, session: requests.Session) -> list[Exchange]:
    steps = list(out.steps) or kinds.default_steps("statushub")
    chain = chain_for(steps, out.alert_type)
    if not chain:
        return []
    if not out.statushub_services:
        raise TransportError("StatusHub: no service is linked to this monitor on this level.", permanent=True)
    exchanges: list[Exchange] = []
    for name, url in out.statushub_services:
        run_chain(
            chain,
            out,
            session,
            extra_context={"ServiceName": name, "ServiceWebhookUrl": url},
            exchanges=exchanges,
        )
    return exchanges
