"""Vault references: ``{{@VaultItem.<guid>.Username}}``, ``.Password`` and
``.Secret`` name a field of a shared credential set (Uptrends' vault).

The renderer looks them up in the context like any variable, under the
canonical key ``context_key(guid, field)`` (the GUID in lower case), so a
reference written in upper case finds the same item. ``integrations.sending``
puts the referenced items' values there, decrypted, and adds the password and
secret to the redactor.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.utils.translation import gettext

from integrations.templating.parser import VAULT_PREFIX, Call, Node, Var, parse

FIELDS = ("Username", "Password", "Secret")
SECRET_FIELDS = ("Password", "Secret")


def parse_reference(name: str) -> tuple[str, str] | str:
    """(lower-case GUID, field) of a ``@VaultItem.…`` name, or why it is not one."""
    parts = name[len(VAULT_PREFIX) :].split(".") if name.startswith(VAULT_PREFIX) else []
    usage = gettext("write {{@VaultItem.<item id>.Username}}, .Password or .Secret")
    if len(parts) != 2:
        return usage
    raw_id, field = parts
    try:
        item_id = str(uuid.UUID(raw_id))
    except ValueError:
        return gettext("%(id)s is not a vault item id (a GUID); %(usage)s") % {
            "id": repr(raw_id),
            "usage": usage,
        }
    if field not in FIELDS:
        close = next((f for f in FIELDS if f.lower() == field.lower()), "")
        hint = gettext(" (did you mean %(name)s?)") % {"name": close} if close else ""
        return gettext("a vault item has no field %(field)s%(hint)s; use Username, Password or Secret") % {
            "field": field,
            "hint": hint,
        }
    return item_id, field


def context_key(item_id: str, field: str) -> str:
    return f"{VAULT_PREFIX}{str(item_id).lower()}.{field}"


def canonical(name: str) -> str:
    """The context key a vault reference is looked up under (``name`` itself
    when it is not a well-formed reference)."""
    parsed = parse_reference(name)
    return context_key(*parsed) if isinstance(parsed, tuple) else name


def references(templates: Iterable[str]) -> set[str]:
    """The ids of the vault items the templates name."""
    found: set[str] = set()
    for template in templates:
        if template and VAULT_PREFIX in template:
            nodes, _errors = parse(template)
            found.update(_ids(nodes))
    return found


def _ids(nodes: Iterable[Node]) -> Iterable[str]:
    for node in nodes:
        if isinstance(node, Var) and node.name.startswith(VAULT_PREFIX):
            parsed = parse_reference(node.name)
            if isinstance(parsed, tuple):
                yield parsed[0]
        elif isinstance(node, Call):
            yield from _ids(node.args)
