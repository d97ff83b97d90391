"""Warnings about an integration's templates: what is saved but may not be
what the author meant (an unknown ``@`` variable, which renders empty; an
alias such as ``@account.id``; an invisible character inside ``{{…}}``).

Errors stop a save (``integrations.validation``); warnings are shown after
it: the API answers carry them as ``"warnings": [...]`` and the admin shows
them as warning messages. They are computed from what is stored, so they stay
visible until the template is changed. A JSON or XML body that hostile values
would break (``integrations.body_check``) is one more warning; the editor
checks the same as it is typed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING

from django.utils.translation import gettext

from integrations.body_check import check_body
from integrations.templating import check
from integrations.validation import TEMPLATE_FIELDS, problem_at, step_problem, variable_names

if TYPE_CHECKING:
    from integrations.models import Integration, IntegrationStep, IntegrationVariable


def template_warnings(template: str, names: Collection[str], *, secret: bool = False) -> list[str]:
    found = []
    for warning in check(template, names).warnings:
        where = gettext("line %(line)s, column %(column)s") % {"line": warning.line, "column": warning.column}
        if warning.token and not secret:
            where = gettext("%(token)s at line %(line)s, column %(column)s") % {
                "token": warning.token,
                "line": warning.line,
                "column": warning.column,
            }
        found.append(problem_at(where, warning.message))
    return found


def step_warnings(
    step: IntegrationStep, names: Collection[str], values: Mapping[str, str] | None = None
) -> list[str]:
    """The step's warnings, each naming the step and field. ``values`` are the
    integration's variables whose value is known (for the body check)."""
    found: list[str] = []
    for field, secret in TEMPLATE_FIELDS.items():
        found.extend(
            step_problem(step.position, field, m)
            for m in template_warnings(getattr(step, field) or "", names, secret=secret)
        )
    headers = step.headers if isinstance(step.headers, list) else []
    for pair in headers:
        if isinstance(pair, list | tuple) and len(pair) == 2 and isinstance(pair[1], str):
            found.extend(
                gettext("step %(position)s header %(name)s: %(problem)s")
                % {"position": step.position, "name": pair[0], "problem": m}
                for m in template_warnings(pair[1], names)
            )
    found.extend(step_problem(step.position, "body", m) for m in body_warnings(step, names, values))
    return found


def body_warnings(
    step: IntegrationStep, names: Collection[str], values: Mapping[str, str] | None = None
) -> list[str]:
    if step.method == "GET":
        return []  # no body is sent
    report = check_body(
        step.body or "",
        step.content_type or "",
        values,
        headers=step.headers if isinstance(step.headers, list) else (),
        known_variable_names=names,
    )
    return report.messages()


def steps_warnings(
    steps: Iterable[IntegrationStep], names: Collection[str], values: Mapping[str, str] | None = None
) -> list[str]:
    found = []
    for step in sorted(steps, key=lambda s: s.position):
        found.extend(step_warnings(step, names, values))
    return found


def known_values(variables: Iterable[IntegrationVariable]) -> dict[str, str]:
    """The variables whose value is the one sent (fixed, not secret)."""
    from integrations.models import VariableMode

    return {v.name: v.value for v in variables if v.mode == VariableMode.FIXED and not v.is_secret}


def integration_warnings(integration: Integration) -> list[str]:
    if not integration.pk:
        return []
    values = known_values(integration.variables.all())
    return steps_warnings(integration.steps.all(), variable_names(integration), values)
