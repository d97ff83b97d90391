"""Step captures: values a step takes from its response for the later steps
of the same message (an auth token, the id a lookup found).

A step's ``captures`` is a list of ``{"name", "source", "expression"}`` with
optional ``"secret"`` and ``"optional"`` flags. ``source`` is ``json-pointer``
(RFC 6901, e.g. ``/result/0/sys_id``, over the JSON response body) or
``regex`` (a Python regular expression searched in the body; the first group,
or the whole match when it has none). Later steps use the value as
``{{name}}``, like an integration variable.

Nothing found (no such pointer, no match, a JSON ``null``, a body that is not
JSON) fails the message permanently, naming the step and the capture, unless
the capture is ``optional``: then it is empty and the message goes on.

This module is pure: it checks definitions and extracts values;
``integrations.rendering`` runs the steps.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from django.utils.translation import gettext, ngettext

from integrations.templating import functions as user_functions
from integrations.templating.parser import Call, Node, Var, parse

SOURCES = ("json-pointer", "regex")
KEYS = {"name", "source", "expression", "secret", "optional"}
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
MAX_CAPTURES = 20
MAX_EXPRESSION = 1000
# Captures whose name says "credential" are redacted even when not ticked secret.
SECRET_NAME = re.compile(
    r"(?i)(token|secret|passw|pwd|api_?key|apikey|auth|session|cookie|credential|bearer|jwt|signature)"
)
# The alert types a step may handle, as (model flag, alert type).
TYPE_FLAGS = (
    ("handles_alert", "Alert"),
    ("handles_ok", "Ok"),
    ("handles_reminder", "Reminder"),
    ("handles_acknowledged", "Acknowledged"),
)
# Template fields of a step (headers are handled apart).
TEMPLATE_FIELDS = ("url", "body", "auth_username", "auth_password", "auth_token")


@dataclass(frozen=True)
class Capture:
    name: str
    source: str
    expression: str
    secret: bool = False
    optional: bool = False

    @property
    def redacted(self) -> bool:
        return self.secret or bool(SECRET_NAME.search(self.name))

    def describe(self) -> str:
        where = "at" if self.source == "json-pointer" else "with"
        return f"{self.name} ({self.source} {where} {self.expression})"


class NotFound(Exception):
    """A required capture found nothing; the message cannot go on."""


# --- Definitions ------------------------------------------------------------------------


def definition_errors(raw: Any) -> list[str]:
    """What is wrong with a step's ``captures`` value, as sentences."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        return [gettext('Enter captures as a list of {"name", "source", "expression"} objects.')]
    if len(raw) > MAX_CAPTURES:
        return [gettext("A step may capture at most %(count)d values.") % {"count": MAX_CAPTURES}]
    errors: list[str] = []
    seen: set[str] = set()
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            errors.append(
                gettext('capture %(index)d: enter an object with "name", "source" and "expression".')
                % {"index": index}
            )
            continue
        label = gettext("capture %(name)s") % {"name": item.get("name") or index}
        unknown = sorted(set(item) - KEYS)
        if unknown:
            errors.append(
                ngettext(
                    "%(label)s: unknown key %(keys)s.", "%(label)s: unknown keys %(keys)s.", len(unknown)
                )
                % {"label": label, "keys": ", ".join(unknown)}
            )
        name, source, expression = item.get("name"), item.get("source"), item.get("expression")
        if not isinstance(name, str) or not NAME_RE.match(name):
            errors.append(
                gettext("%(label)s: a name is letters, digits and underscores, not starting with a digit.")
                % {"label": label}
            )
        elif name in seen:
            errors.append(
                gettext("%(label)s: the step captures %(name)s twice.") % {"label": label, "name": name}
            )
        else:
            seen.add(name)
        if source not in SOURCES:
            errors.append(gettext("%(label)s: the source is json-pointer or regex.") % {"label": label})
        if not isinstance(expression, str) or not expression:
            errors.append(
                gettext("%(label)s: give the expression (a JSON pointer or a regular expression).")
                % {"label": label}
            )
        elif len(expression) > MAX_EXPRESSION:
            errors.append(
                gettext("%(label)s: the expression is longer than %(count)d characters.")
                % {"label": label, "count": MAX_EXPRESSION}
            )
        elif source == "json-pointer":
            problem = pointer_error(expression)
            if problem:
                errors.append(f"{label}: {problem}")
        elif source == "regex":
            try:
                pattern = re.compile(expression)
            except re.error as exc:
                errors.append(
                    gettext("%(label)s: not a valid regular expression (%(error)s).")
                    % {"label": label, "error": exc}
                )
            else:
                problem = user_functions.pattern_error(expression)
                if problem:
                    errors.append(f"{label}: {problem}")
                elif pattern.groups > 1:
                    errors.append(
                        gettext("%(label)s: the first group is taken; use (?:…) for the other groups.")
                        % {"label": label}
                    )
        for flag in ("secret", "optional"):
            if flag in item and not isinstance(item[flag], bool):
                errors.append(
                    gettext("%(label)s: %(flag)s is true or false.") % {"label": label, "flag": flag}
                )
    return errors


def parse_captures(raw: Any) -> list[Capture]:
    """The captures of a (validated) step; anything malformed is skipped."""
    if not isinstance(raw, list):
        return []
    found = []
    for item in raw:
        if isinstance(item, dict) and isinstance(item.get("name"), str) and item.get("source") in SOURCES:
            found.append(
                Capture(
                    name=item["name"],
                    source=item["source"],
                    expression=str(item.get("expression") or ""),
                    secret=bool(item.get("secret", False)),
                    optional=bool(item.get("optional", False)),
                )
            )
    return found


def normalized(raw: Any) -> list[dict[str, Any]]:
    """The canonical stored form: every key present, in one order."""
    return [
        {
            "name": c.name,
            "source": c.source,
            "expression": c.expression,
            "secret": c.secret,
            "optional": c.optional,
        }
        for c in parse_captures(raw)
    ]


# --- Extraction -------------------------------------------------------------------------


def pointer_error(pointer: str) -> str:
    if pointer and not pointer.startswith("/"):
        return gettext(
            "a JSON pointer starts with / (e.g. /result/0/sys_id), or is empty for the whole document."
        )
    if re.search(r"~(?![01])", pointer):
        return gettext("in a JSON pointer ~ is written ~0 and / inside a name ~1.")
    return ""


_MISSING = object()


def resolve_pointer(document: Any, pointer: str) -> Any:
    """RFC 6901: the value ``pointer`` names in ``document``, or ``_MISSING``."""
    if pointer == "":
        return document
    value = document
    for token in pointer[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict):
            if token not in value:
                return _MISSING
            value = value[token]
        elif isinstance(value, list):
            # Array indexes are decimal without leading zeros; "-" (past the end) names nothing.
            if not re.fullmatch(r"0|[1-9][0-9]*", token) or int(token) >= len(value):
                return _MISSING
            value = value[int(token)]
        else:
            return _MISSING
    return value


def extract(capture: Capture, body: str) -> str | None:
    """The captured text, or None when nothing is found."""
    if capture.source == "json-pointer":
        try:
            document = json.loads(body)
        except ValueError:
            return None
        value = resolve_pointer(document, capture.expression)
        if value is _MISSING or value is None:
            return None
        if isinstance(value, str):
            return value
        # Numbers and booleans as JSON writes them; objects and arrays as compact JSON.
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    # The same guarded engine as user-defined functions: a time limit, the
    # first 100,000 characters (a capture reads at most 64 KB anyway).
    match = user_functions.search(capture.expression, body)
    if match is None:
        return None
    value = match.group(1) if match.re.groups else match.group(0)
    return value


def take(step_label: str, captures: Sequence[Capture], body: str) -> dict[str, str]:
    """Every capture of a step from its response body; NotFound for a required
    one that found nothing."""
    values: dict[str, str] = {}
    for capture in captures:
        value = extract(capture, body)
        if value is None:
            if not capture.optional:
                raise NotFound(not_found_message(step_label, capture, body))
            value = ""
        values[capture.name] = value
    return values


def not_found_message(step_label: str, capture: Capture, body: str) -> str:
    found = {"step": step_label, "name": capture.name, "expression": capture.expression}
    if capture.source != "json-pointer":
        return (
            gettext("%(step)s: capture %(name)s found nothing: %(expression)s does not match the response.")
            % found
        )
    try:
        json.loads(body)
    except ValueError:
        return (
            gettext(
                "%(step)s: capture %(name)s found nothing: the response is not JSON (pointer %(expression)s)."
            )
            % found
        )
    return gettext("%(step)s: capture %(name)s found nothing at %(expression)s in the response.") % found


def placeholder(name: str) -> str:
    """What a capture renders as in a preview, where no request is sent."""
    return "{{" + name + "}}"


# --- Chains -----------------------------------------------------------------------------


def step_types(step: Any) -> set[str]:
    return {alert_type for flag, alert_type in TYPE_FLAGS if getattr(step, flag, False)}


def names_used(template: str) -> set[str]:
    found: set[str] = set()

    def walk(nodes: Iterable[Node]) -> None:
        for node in nodes:
            if isinstance(node, Var):
                found.add(node.name)
            elif isinstance(node, Call):
                walk(node.args)

    walk(parse(template or "")[0])
    return found


def step_names_used(step: Any) -> dict[str, set[str]]:
    """The ``{{names}}`` each template field of a step uses."""
    used: dict[str, set[str]] = {}
    for field in TEMPLATE_FIELDS:
        names = names_used(getattr(step, field, "") or "")
        if names:
            used[field] = names
    headers = getattr(step, "headers", None)
    if isinstance(headers, list):
        for pair in headers:
            if isinstance(pair, list | tuple) and len(pair) == 2 and isinstance(pair[1], str):
                used.setdefault("headers", set()).update(names_used(pair[1]))
    return used


def capture_names(steps: Iterable[Any]) -> set[str]:
    return {c.name for step in steps for c in parse_captures(getattr(step, "captures", None))}


def chain_errors(steps: Sequence[Any], variable_names: Iterable[str]) -> dict[int, dict[str, list[str]]]:
    """Problems of a step list's captures, by index in ``steps`` and field: a
    capture named like an integration variable, and a ``{{name}}`` that a
    step uses without an earlier step capturing it for each alert type the
    step handles."""
    variables = set(variable_names)
    errors: dict[int, dict[str, list[str]]] = {}

    def add(index: int, field: str, message: str) -> None:
        errors.setdefault(index, {}).setdefault(field, []).append(message)

    def position(index: int) -> int:
        return int(getattr(steps[index], "position", None) or index + 1)

    order = sorted(range(len(steps)), key=position)
    # name -> [(position, alert types)] of the steps that capture it
    captured_by: dict[str, list[tuple[int, set[str]]]] = {}
    for index in order:
        for capture in parse_captures(getattr(steps[index], "captures", None)):
            if capture.name in variables:
                add(
                    index,
                    "captures",
                    gettext("capture %(name)s: the integration has a variable so named.")
                    % {"name": capture.name},
                )
            captured_by.setdefault(capture.name, []).append((position(index), step_types(steps[index])))
    for index in order:
        here, types = position(index), step_types(steps[index])
        for field, names in step_names_used(steps[index]).items():
            for name in sorted(names):
                sources = captured_by.get(name)
                if not sources or name in variables:
                    continue  # not a capture: template validation judges it
                earlier = [(p, t) for p, t in sources if p < here]
                if not earlier:
                    by = ", ".join(gettext("step %(position)s") % {"position": p} for p, _t in sources)
                    add(
                        index,
                        field,
                        gettext("{{%(name)s}} is captured by %(steps)s, which runs after this step.")
                        % {"name": name, "steps": by},
                    )
                    continue
                covered = set().union(*(t for _p, t in earlier))
                missing = sorted(types - covered, key=_type_order)
                if missing:
                    by = ", ".join(gettext("step %(position)s") % {"position": p} for p, _t in earlier)
                    add(
                        index,
                        field,
                        gettext(
                            "{{%(name)s}} is captured by %(steps)s, which does not run for %(types)s "
                            "messages; tick the same alert types there."
                        )
                        % {"name": name, "steps": by, "types": gettext(" or ").join(missing)},
                    )
    return errors


def _type_order(alert_type: str) -> int:
    return [t for _f, t in TYPE_FLAGS].index(alert_type)


class _Positioned(Protocol):
    @property
    def position(self) -> int: ...


Step = TypeVar("Step", bound=_Positioned)


def chain_for(steps: Iterable[Step], alert_type: str) -> list[Step]:
    """The steps a message of ``alert_type`` runs, in order."""
    flag = dict((t, f) for f, t in TYPE_FLAGS).get(alert_type)
    if flag is None:
        return []
    return sorted((s for s in steps if getattr(s, flag)), key=lambda s: s.position)


def redact_values(values: Mapping[str, str], captures: Sequence[Capture]) -> list[str]:
    """The captured values to hide from what is stored and shown."""
    secret = {c.name for c in captures if c.redacted}
    return [value for name, value in values.items() if name in secret and value]
