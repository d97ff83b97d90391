"""Validation of user-defined functions and vault references, and where vault
items are used (an item in use cannot be deleted: its integrations would send
without their credentials)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from integrations.choices import FunctionKind
from integrations.templating import functions as udf
from integrations.templating import parse, vault
from integrations.templating.parser import VAULT_PREFIX, Text, Var

if TYPE_CHECKING:
    from integrations.models import Integration, IntegrationFunction, IntegrationStep, IntegrationVariable

MAX_MAPPING_ROWS = 1000
# Every field of a step that may hold a vault reference (headers aside).
STEP_TEMPLATE_FIELDS = ("url", "body", "auth_username", "auth_password", "auth_token")


def function_names(integration: Integration | None) -> set[str]:
    if integration is None or not integration.pk:
        return set()
    return set(integration.functions.values_list("name", flat=True))


def vault_item_ids() -> set[str]:
    # Through the app registry, not an import: this runs inside the models'
    # clean(), and the models import this module.
    VaultItem = apps.get_model("integrations", "VaultItem")
    return {str(pk) for pk in VaultItem.objects.values_list("id", flat=True)}


def mapping_errors(mapping: Any) -> list[str]:
    if not isinstance(mapping, list) or not all(
        isinstance(row, list | tuple) and len(row) == 2 and all(isinstance(v, str) for v in row)
        for row in mapping
    ):
        return [gettext('Enter the mapping as a list of ["input", "output"] pairs.')]
    if not mapping:
        return [gettext("A mapping function needs at least one row.")]
    if len(mapping) > MAX_MAPPING_ROWS:
        return [gettext("A mapping has at most %(count)s rows.") % {"count": MAX_MAPPING_ROWS}]
    inputs = [row[0] for row in mapping]
    twice = sorted({value for value in inputs if inputs.count(value) > 1})
    if twice:
        return [
            gettext("Each input may appear once; repeated: %(inputs)s.")
            % {"inputs": ", ".join(repr(v) for v in twice)}
        ]
    return []


def vault_only_errors(text: str, what: str, vault_ids: set[str] | None = None) -> list[str]:
    """A hash key or a predefined variable's value is plain text or vault
    references; nothing else renders in it. Messages never quote the text."""
    if "{{" not in text:
        return []
    nodes, errors = parse(text)
    if errors:
        return [str(e) for e in errors]
    problems = []
    ids = vault_item_ids() if vault_ids is None else vault_ids
    for node in nodes:
        if isinstance(node, Text):
            continue
        if not (isinstance(node, Var) and node.name.startswith(VAULT_PREFIX)):
            problems.append(
                gettext(
                    "%(what)s is used as it is: text and vault references ({{@VaultItem.<id>.Password}}) "
                    "only, no other {{…}} placeholders."
                )
                % {"what": what}
            )
            continue
        parsed = vault.parse_reference(node.name)
        if isinstance(parsed, str):
            problems.append(parsed)
        elif parsed[0] not in ids:
            problems.append(gettext("unknown vault item %(id)s") % {"id": parsed[0]})
    return problems


def clean_function(function: IntegrationFunction) -> None:

    errors: dict[str, list[str]] = {}
    if function.name.startswith("@"):
        errors["name"] = [
            gettext("A user-defined function's name does not start with @ (those are built in).")
        ]
    if function.kind == FunctionKind.MAPPING:
        found = mapping_errors(function.mapping)
        if found:
            errors["mapping"] = found
    elif function.kind == FunctionKind.REGEX:
        message = udf.pattern_error(function.pattern)
        if message:
            errors["pattern"] = [message]
    elif function.kind == FunctionKind.HASH:
        if not function.algorithm:
            errors["algorithm"] = [gettext("Choose the hash algorithm.")]
        elif function.algorithm in udf.HMAC_ALGORITHMS and not function.hash_key:
            errors["hash_key"] = [
                gettext("%(algorithm)s needs a key.") % {"algorithm": function.get_algorithm_display()}
            ]
        elif function.algorithm not in udf.HMAC_ALGORITHMS and function.hash_key:
            errors["hash_key"] = [
                gettext("Only the HMAC algorithms use a key; clear it or choose an HMAC algorithm.")
            ]
        else:
            found = vault_only_errors(function.hash_key, gettext("A hash key"))
            if found:
                errors["hash_key"] = found
    if errors:
        raise ValidationError(errors)


def step_templates(step: IntegrationStep) -> Iterable[str]:
    for field in STEP_TEMPLATE_FIELDS:
        yield getattr(step, field) or ""
    for pair in step.headers if isinstance(step.headers, list) else []:
        if isinstance(pair, list | tuple) and len(pair) == 2:
            yield str(pair[1])


def integration_templates(integration: Integration) -> Iterable[str]:
    """Every template of an integration that may name a vault item."""
    return parts_templates(integration.steps.all(), integration.variables.all(), integration.functions.all())


def parts_templates(
    steps: Iterable[IntegrationStep], variables: Iterable[IntegrationVariable], functions: Iterable[Any]
) -> Iterator[str]:
    for step in steps:
        yield from step_templates(step)
    for variable in variables:
        yield variable.get_value()
    for function in functions:
        yield function.hash_key
