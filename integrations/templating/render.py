from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from integrations import catalogue
from integrations.templating import automatic, vault
from integrations.templating.encoders import ENCODERS
from integrations.templating.functions import UserFunction, apply
from integrations.templating.parser import VAULT_PREFIX, Bad, Call, Node, Text, Var, parse

# At most this many characters are drawn from variable values per render.
# With the template's own text and the encoders' worst-case growth (x12 for
# @UrlEncode of 4-byte characters, compounded by nesting, which the parser
# bounds) this bounds the output.
MAX_VALUE_CHARS = 1_200_000


Functions = Mapping[str, UserFunction]
NO_FUNCTIONS: Functions = {}


def render(
    template: str,
    context: Mapping[str, Any],
    *,
    max_value_chars: int = MAX_VALUE_CHARS,
    functions: Functions = NO_FUNCTIONS,
) -> str:
    """Substitute values into ``template``. Never raises.

    ``context`` maps placeholder names ("@alert.type", "ApiUrl",
    "@CustomField(ComponentId)") to values; a missing name renders empty (an
    unknown ``@`` variable is saved with a warning, as Uptrends renders such
    bodies), a known alias (``@account.id``) as the variable it stands for.
    Erroneous placeholders (which validation refuses on save) stay literal.
    ``functions`` are the integration's user-defined functions by name; a
    call of one it does not have (refused on save) renders empty.
    """
    nodes, _errors = parse(template)
    budget = [max_value_chars]
    return "".join(evaluate(node, context, budget, functions) for node in nodes)


def evaluate(
    node: Node, context: Mapping[str, Any], budget: list[int], functions: Functions = NO_FUNCTIONS
) -> str:
    if isinstance(node, Text):
        return node.value
    if isinstance(node, Var):
        value = _text(_lookup(node.name, context))
        if len(value) > budget[0]:
            value = value[: budget[0]]
        budget[0] -= len(value)
        return value
    if isinstance(node, Call):
        inner = "".join(evaluate(arg, context, budget, functions) for arg in node.args)
        if not node.function.startswith("@"):
            function = functions.get(node.function)
            return apply(function, inner) if function is not None else ""
        encoder = ENCODERS.get(node.function)
        return encoder(inner) if encoder else automatic.call(node.function, inner)
    if isinstance(node, Bad):
        return node.text
    return ""


def _lookup(name: str, context: Mapping[str, Any]) -> Any:
    if name == automatic.RANDOM_GUID:
        return automatic.new_guid()
    if name.startswith(VAULT_PREFIX):
        return context.get(vault.canonical(name))
    value = context.get(name)
    if value is None and name == automatic.UNIQUE_GUID:
        # The sender puts one in the message's context; a lone render gets its own.
        return automatic.new_guid()
    if value is None and name.startswith("@"):
        target = catalogue.aliases().get(name)
        if target:
            return context.get(target)
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates (possible in decoded JSON) cannot be sent; replace them.
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text
