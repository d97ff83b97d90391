from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable

from integrations import catalogue
from integrations.templating.errors import TemplateError, position
from integrations.templating.parser import Call, Node, Var, parse


def validate(template: str, known_variable_names: Collection[str] = ()) -> list[TemplateError]:
    """Every problem in ``template``: syntax, unknown functions, and variables
    that are neither in the catalogue nor among ``known_variable_names``."""
    nodes, errors = parse(template)
    found = list(errors)
    for var in _variables(nodes):
        message = _unknown(var.name, known_variable_names)
        if message:
            line, column = position(template, var.offset)
            found.append(TemplateError(message, "{{" + var.name + "}}", line, column, var.offset))
    return sorted(found, key=lambda e: e.offset)


def _variables(nodes: Iterable[Node]) -> Iterable[Var]:
    for node in nodes:
        if isinstance(node, Var):
            yield node
        elif isinstance(node, Call):
            yield from _variables(node.args)


def _unknown(name: str, known: Collection[str]) -> str:
    if name.startswith(catalogue.CUSTOM_FIELD_FUNCTION + "("):
        return ""
    if name.startswith("@"):
        if name in catalogue.variable_names():
            return ""
        return f"unknown system variable {name}" + _suggest(name, catalogue.variable_names())
    if name in known:
        return ""
    if not known:
        return f"unknown variable {name}: this integration has no variables of its own"
    suggestion = _suggest(name, known)
    if suggestion:
        return f"unknown variable {name}{suggestion}"
    return f"unknown variable {name} (this integration's variables are {', '.join(sorted(known))})"


def _suggest(name: str, candidates: Collection[str]) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in candidates}
        if name.lower() in lowered:
            close = [lowered[name.lower()]]
    return f" (did you mean {close[0]}?)" if close else ""
