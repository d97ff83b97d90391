"""Warnings about an integration's templates: what is saved but may not be
what the author meant (an unknown ``@`` variable, which renders empty; an
alias such as ``@account.id``; an invisible character inside ``{{…}}``).

Errors stop a save (``integrations.validation``); warnings are shown after
it: the API answers carry them as ``"warnings": [...]`` and the admin shows
them as warning messages. They are computed from what is stored, so they stay
visible until the template is changed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

from integrations.templating import check
from integrations.validation import TEMPLATE_FIELDS, variable_names

if TYPE_CHECKING:
    from integrations.models import Integration, IntegrationStep


def template_warnings(template: str, names: Collection[str], *, secret: bool = False) -> list[str]:
    found = []
    for warning in check(template, names).warnings:
        where = f"line {warning.line}, column {warning.column}"
        if warning.token and not secret:
            where = f"{warning.token} at {where}"
        found.append(f"{where}: {warning.message}")
    return found


def step_warnings(step: IntegrationStep, names: Collection[str]) -> list[str]:
    """The step's warnings, each naming the step and field."""
    found: list[str] = []
    for field, secret in TEMPLATE_FIELDS.items():
        found.extend(
            f"step {step.position} {field}: {m}"
            for m in template_warnings(getattr(step, field) or "", names, secret=secret)
        )
    headers = step.headers if isinstance(step.headers, list) else []
    for pair in headers:
        if isinstance(pair, list | tuple) and len(pair) == 2 and isinstance(pair[1], str):
            found.extend(
                f"step {step.position} header {pair[0]}: {m}" for m in template_warnings(pair[1], names)
            )
    return found


def steps_warnings(steps: Iterable[IntegrationStep], names: Collection[str]) -> list[str]:
    found = []
    for step in sorted(steps, key=lambda s: s.position):
        found.extend(step_warnings(step, names))
    return found


def integration_warnings(integration: Integration) -> list[str]:
    if not integration.pk:
        return []
    return steps_warnings(integration.steps.all(), variable_names(integration))
