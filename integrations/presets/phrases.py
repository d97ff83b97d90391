"""The words of the presets' steps that people read (``⟦…⟧`` in the JSON files),
listed for the translation catalogues; a test keeps this list and the files equal."""

from __future__ import annotations

from django.utils.translation import gettext_noop

PHRASES = (
    gettext_noop("Acknowledge"),
    gettext_noop("Alert definition"),
    gettext_noop("Alert time (UTC)"),
    gettext_noop("Checked"),
    gettext_noop("Checked:"),
    gettext_noop("Error:"),
    gettext_noop("First error"),
    gettext_noop("First error (UTC)"),
    gettext_noop("First error (UTC):"),
    gettext_noop("Message"),
    gettext_noop("Monitor"),
    gettext_noop("Monitor dashboard"),
    gettext_noop("Monitor settings"),
    gettext_noop(
        "Ok: {{@JsonEncode({{@monitor.name}})}} is back after {{@JsonEncode({{@alert.downtimeDuration}})}}"
    ),
    gettext_noop("level"),
)
