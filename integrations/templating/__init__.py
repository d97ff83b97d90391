"""The integration template language, as in Uptrends.

- ``{{@group.name}}``: a system variable from the catalogue;
- ``{{Name}}``: an integration variable (fixed, or set per escalation level);
- ``{{@CustomField(name)}}``: a monitor custom field;
- ``{{@JsonEncode(…)}}``, ``{{@XmlEncode(…)}}``, ``{{@UrlEncode(…)}}``,
  ``{{@Base64Encode(…)}}``: encoders whose argument is itself template text,
  so they nest: ``{{@JsonEncode({{@monitor.notes}})}}``;
- ``{{Name(…)}}``: one of the integration's user-defined functions
  (``templating.functions``), passed to ``render`` as plain data;
- ``{{@VaultItem.<id>.Password}}``: a vault field (``templating.vault``),
  looked up in the context like any variable.

Rendering is plain substitution (no code runs) and never raises; validation
happens when an integration is saved, so a message cannot fail at send time
because of its template.
"""

from integrations.templating.errors import TemplateError
from integrations.templating.parser import parse
from integrations.templating.render import MAX_VALUE_CHARS, render
from integrations.templating.urls import merge_query, render_url
from integrations.templating.validate import Report, check, validate

__all__ = [
    "MAX_VALUE_CHARS",
    "Report",
    "TemplateError",
    "check",
    "merge_query",
    "parse",
    "render",
    "render_url",
    "validate",
]
