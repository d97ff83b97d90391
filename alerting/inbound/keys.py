"""Monitor key templates: ``{alertname}/{instance}`` over a payload's labels."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

MAX_KEY = 200
# What a monitor key cannot hold (alerting.validators.monitor_key_validator)
# becomes a dash: Grafana's alert names, for one, have spaces.
NOT_IN_KEY = re.compile(r"[^A-Za-z0-9._:@/-]+")
FORMATTER = string.Formatter()


def fields(template: str) -> list[str]:
    """The placeholders of ``template``; a ``ValidationError`` when it is not one."""
    try:
        parsed = list(FORMATTER.parse(template))
    except ValueError as exc:
        raise ValidationError(
            gettext("Not a key template (%(error)s): write labels as {name}.") % {"error": exc}
        ) from None
    names = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name or spec or conversion or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", name):
            raise ValidationError(
                gettext("%(placeholder)s is not a placeholder: write a label name as {name}.")
                % {"placeholder": "{" + str(name) + "}"}
            )
        names.append(name)
    if not names:
        raise ValidationError(gettext("Use at least one placeholder, e.g. {alertname}."))
    return names


def validate_template(template: str, allowed: list[str] | None = None) -> None:
    names = fields(template)
    if allowed is not None:
        unknown = [n for n in names if n not in allowed]
        if unknown:
            raise ValidationError(
                gettext("Unknown placeholder %(placeholder)s; this format offers %(offered)s")
                % {"placeholder": "{" + unknown[0] + "}", "offered": ", ".join(f"{{{a}}}" for a in allowed)}
            )


def render(template: str, values: Mapping[str, str]) -> str:
    """The monitor key, or "" when no placeholder has a value.

    A placeholder without a value drops out together with the text just
    before it, so ``{alertname}/{instance}`` without an instance label is just
    the alert name.
    """
    out: list[str] = []
    filled = False
    for literal, name, _, _ in FORMATTER.parse(template):
        if name is None:
            out.append(literal)
            continue
        value = NOT_IN_KEY.sub("-", str(values.get(name) or "").strip())
        if value:
            out.append(literal + value)
            filled = True
    if not filled:
        return ""
    key = re.sub(r"^[^A-Za-z0-9]+", "", "".join(out))[:MAX_KEY]
    return key.rstrip("/-") or key
