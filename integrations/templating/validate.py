"""Checking a template when it is saved.

``check`` sorts what it finds into *errors*, which stop the save (bad syntax,
an unknown function, an unknown integration variable), and *warnings*, which
do not: an ``@`` name that is not a system variable (Uptrends renders such
bodies, and bodies published for Uptrends users contain them; it renders
empty), a known alias (rendered as the variable it stands for) and an
invisible character inside a placeholder (dropped). ``validate`` returns the
errors alone.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext

from integrations import catalogue
from integrations.templating import automatic, vault
from integrations.templating.errors import TemplateError, position
from integrations.templating.parser import (
    VAULT_PREFIX,
    Call,
    Node,
    Text,
    Var,
    invisible_characters,
    parse,
    without_invisible,
)


@dataclass
class Report:
    errors: list[TemplateError] = field(default_factory=list)
    warnings: list[TemplateError] = field(default_factory=list)


def validate(
    template: str,
    known_variable_names: Collection[str] = (),
    *,
    function_names: Collection[str] = (),
    vault_ids: Collection[str] | None = None,
) -> list[TemplateError]:
    """Every problem in ``template`` that stops it from being saved."""
    return check(template, known_variable_names, function_names=function_names, vault_ids=vault_ids).errors


def check(
    template: str,
    known_variable_names: Collection[str] = (),
    *,
    function_names: Collection[str] = (),
    vault_ids: Collection[str] | None = None,
) -> Report:
    """Errors and warnings of ``template``; the variables allowed besides the
    catalogue's are ``known_variable_names`` (the integration's own), the
    functions without ``@`` are ``function_names`` (its user-defined ones),
    and ``{{@VaultItem.<id>.…}}`` must name one of ``vault_ids`` (lower-case
    GUIDs; None: any well-formed reference)."""
    report = Report()
    for offset, character in invisible_characters(template):
        line, column = position(template, offset)
        name = unicodedata.name(character, "invisible character").lower()
        report.warnings.append(
            TemplateError(
                gettext("an invisible character (%(code)s, %(name)s) inside {{…}} is ignored; delete it")
                % {"code": f"U+{ord(character):04X}", "name": name},
                "",
                line,
                column,
                offset,
            )
        )
    # Positions below are in the text without those characters (what was parsed).
    parsed = without_invisible(template)
    nodes, errors = parse(template)
    report.errors.extend(errors)
    for var in _variables(nodes):
        line, column = position(parsed, var.offset)
        token = "{{" + var.name + "}}"
        if var.name.startswith(catalogue.CUSTOM_FIELD_FUNCTION + "("):
            continue  # any custom field name: a monitor without it renders empty
        if var.name.startswith(VAULT_PREFIX):
            message = _vault_error(var.name, vault_ids)
            if message:
                report.errors.append(TemplateError(message, token, line, column, var.offset))
            continue
        if var.name.startswith("@"):
            message = _system_warning(var.name)
            if message:
                report.warnings.append(TemplateError(message, token, line, column, var.offset))
            continue
        message = _unknown(var.name, known_variable_names)
        if message:
            report.errors.append(TemplateError(message, token, line, column, var.offset))
    for call in _calls(nodes):
        if not call.function.startswith("@") and call.function not in function_names:
            line, column = position(parsed, call.offset)
            report.errors.append(
                TemplateError(
                    _unknown_function(call.function, function_names),
                    "{{" + call.function + "(",
                    line,
                    column,
                    call.offset,
                )
            )
        if call.function in automatic.FUNCTIONS and all(isinstance(a, Text) for a in call.args):
            message = automatic.argument_error(
                call.function, "".join(a.value for a in call.args if isinstance(a, Text))
            )
            if message:
                line, column = position(parsed, call.offset)
                report.errors.append(
                    TemplateError(message, "{{" + call.function + "(", line, column, call.offset)
                )
    report.errors.sort(key=lambda e: e.offset)
    report.warnings.sort(key=lambda e: e.offset)
    return report


def _variables(nodes: Iterable[Node]) -> Iterable[Var]:
    for node in nodes:
        if isinstance(node, Var):
            yield node
        elif isinstance(node, Call):
            yield from _variables(node.args)


def _calls(nodes: Iterable[Node]) -> Iterable[Call]:
    for node in nodes:
        if isinstance(node, Call):
            yield node
            yield from _calls(node.args)


def _vault_error(name: str, vault_ids: Collection[str] | None) -> str:
    parsed = vault.parse_reference(name)
    if isinstance(parsed, str):
        return parsed
    if vault_ids is not None and parsed[0] not in vault_ids:
        return gettext("unknown vault item %(id)s (add it under Vault, or correct the id)") % {
            "id": parsed[0]
        }
    return ""


def _unknown_function(name: str, known: Collection[str]) -> str:
    builtin = ", ".join(sorted(catalogue.function_names()))
    if not known:
        return gettext(
            "unknown function %(name)s: this integration defines no functions (the built-in ones start "
            "with @: %(builtin)s)"
        ) % {"name": name, "builtin": builtin}
    return gettext(
        "unknown function %(name)s%(suggestion)s (this integration's functions are %(known)s; the "
        "built-in ones start with @)"
    ) % {"name": name, "suggestion": _suggest(name, known), "known": ", ".join(sorted(known))}


def _system_warning(name: str) -> str:
    if name in catalogue.variable_names() or name in catalogue.automatic_variable_names():
        return ""
    target = catalogue.aliases().get(name)
    if target:
        return gettext(
            "%(name)s is not an Uptrends system variable; it is read as %(target)s, the name to use"
        ) % {
            "name": name,
            "target": target,
        }
    return gettext("unknown system variable %(name)s%(suggestion)s; it is kept and renders empty") % {
        "name": name,
        "suggestion": _suggest(name, catalogue.variable_names()),
    }


def _unknown(name: str, known: Collection[str]) -> str:
    if name in known:
        return ""
    if not known:
        return gettext("unknown variable %(name)s: this integration has no variables of its own") % {
            "name": name
        }
    suggestion = _suggest(name, known)
    if suggestion:
        return gettext("unknown variable %(name)s%(suggestion)s") % {"name": name, "suggestion": suggestion}
    return gettext("unknown variable %(name)s (this integration's variables are %(known)s)") % {
        "name": name,
        "known": ", ".join(sorted(known)),
    }


def _suggest(name: str, candidates: Collection[str]) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in candidates}
        if name.lower() in lowered:
            close = [lowered[name.lower()]]
    return gettext(" (did you mean %(name)s?)") % {"name": close[0]} if close else ""
