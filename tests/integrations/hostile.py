"""Sending an integration with hostile variable values: the catalogue's
example values with some replaced by text that breaks naive templates
(quotes, backslashes, newlines, markup and chat mentions)."""

from __future__ import annotations

from integrations import catalogue
from integrations.models import Integration
from integrations.outbound import outbound_session
from integrations.rendering import deliver
from integrations.sending import build_outgoing
from integrations.transports.base import Exchange

HOSTILE = {
    "@monitor.name": 'Shop "EU" <!here> & co\\',
    "@alert.description": '<!channel> HTTP 503 & <@U024BE7LH>\n"quoted" \\ back > 1',
    "@escalationLevel.message": "Call <!everyone> & page\n'ops' \\o/",
    "@monitor.notes": 'line 1\nline "2" \\ <b>bold</b> & more',
}


def values(alert_type: str, level: int = 1, **overrides: str) -> dict[str, str]:
    found = catalogue.example_values(alert_type, level)
    found.update(HOSTILE)
    found.update(overrides)
    return found


def send(integration: Integration, alert_type: str, level: int = 1, **overrides: str) -> list[Exchange]:
    """Send ``alert_type`` with hostile values, as delivery would."""
    prepared = build_outgoing(
        integration,
        alert_type=alert_type,
        system=values(alert_type, level, **overrides),
        message_id=f"hostile-{alert_type}",
    )
    with outbound_session(*prepared.out.timeout) as session:
        return deliver(prepared, session)
