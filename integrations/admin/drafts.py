"""The integration as the editor's form holds it, unsaved: for a preview or a
test send of what is on the screen, without writing anything.

The posted form and inline formsets are bound and validated as a save would
(the same fields, permissions and rules); when valid, their objects are
built in memory (``form.save(commit=False)``, each inline form's instance)
and handed to sending as ``Parts``. The editor's live body check reads the
posted form the same way (``body_check_answer``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.admin.utils import flatten_fieldsets
from django.forms import BaseFormSet, BaseModelForm
from django.http import HttpRequest
from django.utils.translation import gettext

from integrations import kinds
from integrations.admin.forms import posted_variable_names
from integrations.admin.headers import HeaderRowsWidget
from integrations.body_check import check_body
from integrations.models import (
    Integration,
    IntegrationFunction,
    IntegrationStep,
    IntegrationVariable,
    StatusHubService,
    VariableMode,
)
from integrations.sending import Parts

if TYPE_CHECKING:
    from integrations.admin.integrations import IntegrationAdmin


@dataclass
class Draft:
    integration: Integration
    parts: Parts
    form: BaseModelForm[Any]
    problems: list[str] = field(default_factory=list)  # what stops it, as sentences


def draft_from_post(admin: IntegrationAdmin, request: HttpRequest, obj: Integration | None) -> Draft:
    change = obj is not None
    fields = flatten_fieldsets(admin.get_fieldsets(request, obj))
    form_class = admin.get_form(request, obj, change=change, fields=fields)
    form = form_class(request.POST, request.FILES, instance=obj)
    formsets: list[BaseFormSet[Any]] = []
    for formset_class, inline in admin.get_formsets_with_inlines(request, *([obj] if change else [])):
        prefix = formset_class.get_default_prefix()
        formsets.append(formset_class(**admin.get_formset_kwargs(request, form.instance, inline, prefix)))

    problems = _form_problems(form)
    for formset in formsets:
        problems.extend(_formset_problems(formset))
    integration: Integration = form.instance
    if not problems:
        integration = form.save(commit=False)
    return Draft(integration, _parts(formsets) if not problems else Parts(), form, problems)


def _label(form: BaseModelForm[Any], name: str) -> str:
    if name == "__all__":
        return ""
    bound = form.fields.get(name)
    return str(bound.label) if bound is not None and bound.label else name


def _form_problems(form: BaseModelForm[Any]) -> list[str]:
    if form.is_valid():
        return []
    return [
        f"{_label(form, name)}: {message}" if _label(form, name) else str(message)
        for name, messages in form.errors.items()
        for message in messages
    ]


def _formset_problems(formset: BaseFormSet[Any]) -> list[str]:
    valid = formset.is_valid()
    if valid:
        return []
    model = getattr(formset, "model", None)
    noun = str(model._meta.verbose_name) if model is not None else "row"
    problems = [str(m) for m in formset.non_form_errors()]
    for index, form in enumerate(formset.forms):
        where = f"{noun.capitalize()} {index + 1}"
        if isinstance(form.instance, IntegrationStep) and form.instance.position:
            where = gettext("Step %(position)s") % {"position": form.instance.position}
        for name, messages in form.errors.items():
            label = _label(form, name)
            problems.extend(f"{where}{' ' + label.lower() if label else ''}: {m}" for m in messages)
    return problems


def _parts(formsets: list[BaseFormSet[Any]]) -> Parts:
    parts = Parts()
    for formset in formsets:
        for form in formset.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue  # an empty extra row, or one marked for deletion
            instance = form.instance  # the posted values, applied by validation
            if isinstance(instance, IntegrationVariable):
                parts.variables.append(instance)
            elif isinstance(instance, IntegrationStep):
                parts.steps.append(instance)
            elif isinstance(instance, StatusHubService):
                parts.services.append(instance)
            elif isinstance(instance, IntegrationFunction):
                parts.functions.append(instance)
    parts.steps.sort(key=lambda s: s.position)
    return parts


STEP_PREFIX = re.compile(r"^steps-\d{1,3}$")


def body_check_answer(data: Any) -> dict[str, Any]:
    """The body check of the step ``data["step"]`` names, as the form holds
    it: its variables as posted (the fixed, non-secret values are used)."""
    prefix = str(data.get("step", ""))
    if not STEP_PREFIX.match(prefix):
        return {"format": "", "messages": [], "findings": [], "base": ""}
    names = posted_variable_names(data) or set()
    names |= set(kinds.step_variables(str(data.get("kind") or "webhook")))
    values: dict[str, str] = {}
    try:
        total = min(int(data.get("variables-TOTAL_FORMS") or 0), 1000)
    except ValueError:
        total = 0
    for i in range(total):
        row = f"variables-{i}-"
        mode = data.get(row + "mode") or VariableMode.FIXED
        if data.get(row + "DELETE") or data.get(row + "is_secret") or mode != VariableMode.FIXED:
            continue
        name = (data.get(row + "name") or "").strip()
        if name:
            values[name] = data.get(row + "value") or ""
    if data.get(f"{prefix}-method") == "GET":
        return {"format": "", "messages": [], "findings": [], "base": ""}
    headers = HeaderRowsWidget().value_from_datadict(data, None, f"{prefix}-headers")
    report = check_body(
        str(data.get(f"{prefix}-body") or ""),
        str(data.get(f"{prefix}-content_type") or ""),
        values,
        headers=headers if isinstance(headers, list) else (),
        known_variable_names=names,
    )
    return report.as_dict()
