"""Tokenizer and parser: template text to a small tree of nodes.

A stray ``}}`` is ordinary text (JSON bodies end nested objects with it); a
``{{`` must open a well-formed placeholder. In a run of braces such as
``{{{Name}}}`` the placeholder starts at the last two, so JSON around a
placeholder needs no escaping.

Invisible characters (zero-width spaces and joiners, direction marks, soft
hyphens) inside a placeholder's name are dropped before parsing: text copied
from web pages carries them (Uptrends' own list of variables writes
``@\u200calert.responseHeaders`` with one), and a name that looks right but
does not match would be a baffling error. Validation warns about each one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.translation import gettext_noop

from integrations import catalogue
from integrations.templating.errors import Phrase, TemplateError, phrase, position

# A vault reference's middle part is the item's GUID (it may start with a digit).
VAULT_PREFIX = "@VaultItem."
NAME_RE = re.compile(
    r"@VaultItem\.[0-9A-Za-z-]+\.[A-Za-z]+|@?[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
)
INVISIBLE = (
    "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)
# The name part of a placeholder: what may stand between "{{" and "}}" or "(".
_NAME_PART = re.compile(rf"\{{\{{([@A-Za-z0-9_.\- \t{INVISIBLE}]*)(?=\}}\}}|\()")
CUSTOM_FIELD_RE = re.compile(r"\(([^(){}\n]*)\)\s*\}\}")
MAX_DEPTH = 6
OPEN, CLOSE, CALL_END = "{{", "}}", ")}}"


@dataclass(frozen=True)
class Text:
    value: str


@dataclass(frozen=True)
class Var:
    name: str  # "@alert.type", "ApiUrl" or "@CustomField(ComponentId)"
    offset: int


@dataclass(frozen=True)
class Call:
    function: str
    args: tuple[Node, ...]
    offset: int


@dataclass(frozen=True)
class Bad:
    """An erroneous placeholder, kept as literal text by the renderer."""

    text: str
    offset: int


Node = Text | Var | Call | Bad


@dataclass
class _State:
    template: str
    errors: list[TemplateError] = field(default_factory=list)

    def error(self, message: Phrase, offset: int, token: str) -> None:
        line, column = position(self.template, offset)
        self.errors.append(TemplateError(message, token[:80], line, column, offset))


def invisible_characters(template: str) -> list[tuple[int, str]]:
    """(offset, character) of every invisible character in a placeholder name."""
    if not any(c in template for c in INVISIBLE):
        return []
    found: list[tuple[int, str]] = []
    for match in _NAME_PART.finditer(template):
        found.extend((match.start(1) + i, c) for i, c in enumerate(match.group(1)) if c in INVISIBLE)
    return found


def without_invisible(template: str) -> str:
    """``template`` with the invisible characters of placeholder names removed."""
    found = invisible_characters(template)
    if not found:
        return template
    drop = {offset for offset, _c in found}
    return "".join(c for i, c in enumerate(template) if i not in drop)


@lru_cache(maxsize=512)
def parse(template: str) -> tuple[tuple[Node, ...], tuple[TemplateError, ...]]:
    """The nodes of ``template`` and its syntax errors. Offsets refer to the
    template without the invisible characters of placeholder names."""
    template = without_invisible(template)
    state = _State(template)
    nodes, pos, _closed = _sequence(state, 0, depth=0, in_call=False)
    if pos < len(template):  # only reachable by a stray ")}}" at top level: plain text
        nodes.append(Text(template[pos:]))
    return tuple(nodes), tuple(state.errors)


def _sequence(state: _State, pos: int, depth: int, in_call: bool) -> tuple[list[Node], int, bool]:
    """Parse text and placeholders from ``pos``. Inside a function argument
    (``in_call``) stop before the ``)}}`` that closes it."""
    t = state.template
    nodes: list[Node] = []
    while pos < len(t):
        opening = t.find(OPEN, pos)
        closing = t.find(CALL_END, pos) if in_call else -1
        if closing != -1 and (opening == -1 or closing < opening):
            if closing > pos:
                nodes.append(Text(t[pos:closing]))
            return nodes, closing, True
        if opening == -1:
            nodes.append(Text(t[pos:]))
            return nodes, len(t), False
        while t.startswith("{", opening + 2):
            opening += 1
        if opening > pos:
            nodes.append(Text(t[pos:opening]))
        node, pos = _placeholder(state, opening, depth)
        nodes.append(node)
    return nodes, pos, False


def _placeholder(state: _State, start: int, depth: int) -> tuple[Node, int]:
    t = state.template
    pos = start + 2
    while pos < len(t) and t[pos] in " \t":
        pos += 1
    match = NAME_RE.match(t, pos)
    if not match:
        return _skip_bad(state, start, phrase(gettext_noop("expected a variable or function name after {{")))
    name, pos = match.group(), match.end()

    if t.startswith("(", pos):
        if name == catalogue.CUSTOM_FIELD_FUNCTION:
            custom = CUSTOM_FIELD_RE.match(t, pos)
            if not custom or not custom.group(1).strip():
                return _skip_bad(
                    state, start, phrase(gettext_noop("write a custom field as {{@CustomField(FieldName)}}"))
                )
            return Var(catalogue.custom_field_key(custom.group(1)), start), custom.end()
        if depth + 1 > MAX_DEPTH:
            state.error(
                phrase(gettext_noop("functions are nested more than %(depth)s deep"), depth=MAX_DEPTH),
                start,
                t[start : pos + 1],
            )
            # Stop descending: recursing into thousands of nested calls would
            # exhaust the stack; the rest stays literal text.
            return Bad(t[start:], start), len(t)
        args, end, closed = _sequence(state, pos + 1, depth + 1, in_call=True)
        if not closed:
            state.error(
                phrase(
                    gettext_noop("unbalanced braces: %(opening)s is never closed with %(closing)s"),
                    opening="{{" + name + "(",
                    closing=")}}",
                ),
                start,
                t[start : pos + 1],
            )
            return Bad(t[start:], start), len(t)
        end += len(CALL_END)
        # A name without "@" calls one of the integration's own functions;
        # validation checks it against them (the parse is shared and cached).
        if name.startswith("@") and name not in catalogue.function_names():
            known = ", ".join(sorted(catalogue.function_names()))
            state.error(
                phrase(
                    gettext_noop("unknown function %(name)s (the functions are %(known)s)"),
                    name=name,
                    known=known,
                ),
                start,
                t[start : pos + 1],
            )
            return Bad(t[start:end], start), end
        return Call(name, tuple(args), start), end

    while pos < len(t) and t[pos] in " \t":
        pos += 1
    if t.startswith(CLOSE, pos):
        return Var(name, start), pos + 2
    return _skip_bad(
        state, start, phrase(gettext_noop("unexpected text after %(name)s; expected }}"), name=repr(name))
    )


def _skip_bad(state: _State, start: int, message: Phrase) -> tuple[Node, int]:
    t = state.template
    end = t.find(CLOSE, start + 2)
    newline = t.find("\n", start)
    if end == -1:
        state.error(
            phrase(
                gettext_noop("unbalanced braces: %(opening)s is never closed with %(closing)s (%(problem)s)"),
                opening="{{",
                closing="}}",
                problem=message,
            ),
            start,
            t[start:],
        )
        return Bad(t[start:], start), len(t)
    token = t[start : end + 2]
    if newline != -1 and newline < end:
        token = t[start:newline]
    state.error(message, start, token)
    return Bad(t[start : end + 2], start), end + 2
