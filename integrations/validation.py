"""Validation the models' ``clean()`` (and so the admin and the API) call.

Templates are checked when an integration is saved so that a message never
fails at send time because of its template: an unknown variable or function
or unbalanced braces is an error at the field, naming the token and where it is.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils.translation import gettext, gettext_lazy

from integrations import captures, kinds
from integrations.choices import VariableMode
from integrations.templating import validate
from integrations.validation_functions import (
    clean_function,
    function_names,
    vault_item_ids,
    vault_only_errors,
)

if TYPE_CHECKING:
    from integrations.models import Integration, IntegrationStep, IntegrationVariable, StatusHubService

# Office 365 connectors (incoming webhooks on these hosts) were retired by Microsoft.
RETIRED_TEAMS_HOSTS = ("webhook.office.com", "outlook.office.com", "outlook.office365.com")
RETIRED_TEAMS_MESSAGE = gettext_lazy(
    "This is an Office 365 connector URL ({host}). Microsoft retired Office 365 connectors, so "
    "messages sent there are lost. In Teams, create a Workflow from the template 'Post to a "
    "channel when a webhook request is received' and paste its URL instead."
)
# Step fields that are templates, and whether their content is secret
# (an error about a secret field must not quote it).
TEMPLATE_FIELDS = {
    "url": False,
    "body": False,
    "auth_username": False,
    "auth_password": True,
    "auth_token": True,
}


def variable_names(integration: Integration) -> set[str]:
    names = set(kinds.step_variables(integration.kind))
    if integration.pk:
        names.update(integration.variables.values_list("name", flat=True))
    return names


def template_errors(
    template: str,
    names: Collection[str],
    *,
    secret: bool = False,
    functions: Collection[str] = (),
    vault_ids: Collection[str] | None = None,
) -> list[str]:
    """``functions``: the integration's user-defined function names;
    ``vault_ids``: the vault items that exist (None: read them when needed)."""
    if vault_ids is None and "@VaultItem." in template:
        vault_ids = vault_item_ids()
    messages = []
    for error in validate(template, names, function_names=functions, vault_ids=vault_ids):
        where = {"token": error.token, "line": error.line, "column": error.column}
        if secret:
            place = gettext("line %(line)s, column %(column)s") % where
        else:
            place = gettext("%(token)s at line %(line)s, column %(column)s") % where
        messages.append(problem_at(place, error.message))
    return messages


def problem_at(place: str, problem: str) -> str:
    """A problem after what it is about ("line 1, column 4: …"), punctuated
    as the language does (French puts a space before the colon)."""
    return gettext("%(where)s: %(problem)s") % {"where": place, "problem": problem}


def step_function_names(step: IntegrationStep) -> Collection[str]:
    """The admin sets ``known_function_names`` when the functions are edited on
    the same page; otherwise they are read from the database."""
    known = getattr(step, "known_function_names", None)
    if known is not None:
        return set(known)
    return function_names(step.integration) if step.integration_id else set()


def step_errors(step: IntegrationStep, names: Collection[str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    functions = step_function_names(step)
    for field, secret in TEMPLATE_FIELDS.items():
        found = template_errors(getattr(step, field) or "", names, secret=secret, functions=functions)
        if found:
            errors[field] = found
    header_errors: list[str] = []
    headers = step.headers or []
    if not isinstance(headers, list) or not all(
        isinstance(pair, list | tuple) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        for pair in headers
    ):
        header_errors.append(gettext('Enter headers as a list of ["Name", "value"] pairs.'))
    else:
        for name, value in headers:
            if not name.strip() or any(c in name for c in ":\r\n "):
                header_errors.append(gettext("%(name)s is not a valid header name.") % {"name": repr(name)})
            header_errors.extend(
                f"header {name}: {m}" for m in template_errors(value, names, functions=functions)
            )
    if header_errors:
        errors["headers"] = header_errors
    url_error = retired_url_error(step.url or "") or outbound_url_error(step.url or "")
    if url_error:
        errors.setdefault("url", []).append(url_error)
    if step.auth_type in ("basic", "digest", "ntlm") and not step.auth_username:
        kind = {"basic": "Basic", "digest": "Digest", "ntlm": "NTLM"}[step.auth_type]
        errors.setdefault("auth_username", []).append(
            gettext("%(kind)s authentication needs a username.") % {"kind": kind}
        )
    if step.auth_type == "bearer" and not step.auth_token:
        errors.setdefault("auth_token", []).append(gettext("Bearer authentication needs a token."))
    if not step.alert_types():
        errors.setdefault("handles_alert", []).append(gettext("Tick at least one alert type for this step."))
    capture_problems = captures.definition_errors(step.captures)
    if capture_problems:
        errors.setdefault("captures", []).extend(capture_problems)
    else:
        # One stored form whatever wrote it (flags left out take their defaults).
        step.captures = captures.normalized(step.captures)
    return errors


def clean_step(step: IntegrationStep, names: Collection[str] | None = None) -> None:
    """Raise ValidationError for a step. ``names`` are the integration's
    variable names; the admin passes them when variables are edited on the
    same page (not saved yet); otherwise they are read from the database."""
    if names is None:
        names = getattr(step, "known_variable_names", None)
    if names is None:
        names = variable_names(step.integration) if step.integration_id else set()
        if step.integration_id:
            # Saved alone: the captures of the integration's steps may be used
            # (which step may use which is checked with the whole list).
            names = set(names) | captures.capture_names([*step.integration.steps.all(), step])
    errors = step_errors(step, names)
    if errors:
        raise ValidationError(errors)


def outbound_url_error(value: str, *, any_scheme: bool = True) -> str:
    """Why the hub would refuse to call this URL, or "" (the SSRF rules of
    ``integrations.outbound``, checked again when a message is sent).

    For a template only the text before the first placeholder is checked, and
    only when it holds the whole host. A host that does not resolve now is
    accepted: DNS may answer by the time a message is sent. ``any_scheme``
    False checks only http(s) URLs (a variable's value may be other text).
    """
    from integrations.outbound import OutboundURLError, UnresolvableHostError, check_url

    value = value.strip()
    head = value.split("{{", 1)[0]
    if "://" not in head:
        return ""
    scheme, rest = head.split("://", 1)
    if not any_scheme and scheme.lower() not in ("http", "https"):
        return ""
    if "{{" in value and not any(c in rest for c in "/?#"):
        return ""  # the host itself is (partly) a placeholder
    try:
        check_url(head)
    except UnresolvableHostError:
        return ""
    except OutboundURLError as exc:
        return str(exc)
    return ""


def retired_url_error(value: str) -> str:
    host = _host(value)
    retired = bool(host) and any(host == h or host.endswith("." + h) for h in RETIRED_TEAMS_HOSTS)
    if retired and (host.endswith("webhook.office.com") or "/webhook" in value.lower()):
        return RETIRED_TEAMS_MESSAGE.format(host=host)
    return ""


def needs_value(name: str) -> str:
    return gettext("%(name)s needs a value (or choose 'Value per escalation level').") % {"name": name}


def clean_variable(variable: IntegrationVariable) -> None:

    errors: list[str] = []
    value = variable.get_value()
    try:
        # On the admin's add page the integration is not saved yet, but the
        # inline gave the variable its (unsaved) parent: its kind still counts.
        integration: Integration | None = variable.integration
    except ObjectDoesNotExist:
        integration = None
    spec = kinds.spec_for(integration, variable.name) if integration is not None else None
    if value:
        message = retired_url_error(value) or outbound_url_error(value, any_scheme=False)
        if message:
            errors.append(message)
        if spec and spec.choices and value not in spec.choices:
            errors.append(gettext("Choose one of: %(choices)s.") % {"choices": ", ".join(spec.choices)})
        if spec and spec.template and integration is not None:
            # The admin sets known_function_names when functions are edited on the same page.
            functions = getattr(variable, "known_function_names", None)
            if functions is None:
                functions = function_names(integration)
            errors.extend(template_errors(value, variable_names(integration), functions=functions))
        elif "{{" in value:
            # As Uptrends' value picker: plain text, or a vault credential set's field.
            errors.extend(vault_only_errors(value, gettext("A variable's value")))
    elif spec and spec.required and variable.mode == VariableMode.FIXED:
        errors.append(needs_value(variable.name))
    if variable.is_secret and variable.mode == VariableMode.PER_LEVEL:
        # Per-level values live in the levels' plain configuration (and in each
        # message's snapshot), where a secret would be neither encrypted nor hidden.
        raise ValidationError(
            {
                "mode": gettext(
                    "A secret variable keeps one value here, encrypted; per-level values are not secret."
                )
            }
        )
    if errors:
        field = "secret_value" if variable.is_secret else "value"
        raise ValidationError({field: errors})


def level_value_errors(integration: Integration, values: dict[str, str]) -> list[str]:
    """Per-level values (LevelIntegration.variable_values) for the integration."""
    errors = []
    for name, value in values.items():
        message = retired_url_error(str(value)) or outbound_url_error(str(value), any_scheme=False)
        if message:
            errors.append(f"{name}: {message}")
        spec = kinds.spec_for(integration, name)
        if spec and spec.choices and value and value not in spec.choices:
            errors.append(
                gettext("%(name)s: choose one of %(choices)s.")
                % {"name": name, "choices": ", ".join(spec.choices)}
            )
    return errors


def clean_statushub_service(service: StatusHubService) -> None:
    message = outbound_url_error(service.webhook_url or "")
    if message:
        raise ValidationError({"webhook_url": message})


def clean_integration(integration: Integration) -> None:
    from integrations import presets

    if integration.preset and integration.preset not in presets.presets():
        raise ValidationError(
            {"preset": gettext("Unknown preset %(preset)s.") % {"preset": repr(integration.preset)}}
        )
    secrets = integration.signing_secrets or []
    if not isinstance(secrets, list) or not all(isinstance(s, str) and len(s) >= 16 for s in secrets):
        raise ValidationError(
            {"signing_secrets": gettext("Enter a list of secrets of at least 16 characters each.")}
        )


def _host(value: str) -> str:
    try:
        return (urlsplit(value.strip()).hostname or "").lower()
    except ValueError:
        return ""


def all_step_errors(steps: Iterable[IntegrationStep], names: Collection[str]) -> list[str]:
    """Every problem of a set of steps, flattened (for commands and the API)."""
    steps = list(steps)
    usable = steps_names(steps, names)
    found: list[str] = []
    for step in steps:
        for field, messages in step_errors(step, usable).items():
            found.extend(step_problem(step.position, field, m) for m in messages)
    for index, fields in captures.chain_errors(steps, names).items():
        for field, messages in fields.items():
            found.extend(step_problem(steps[index].position, field, m) for m in messages)
    return found


def step_problem(position: object, field: str, problem: str) -> str:
    """A problem named by its step and field ("step 2 body: …"); the field
    is the API's field name, which stays as it is in every language."""
    return gettext("step %(position)s %(field)s: %(problem)s") % {
        "position": position,
        "field": field,
        "problem": problem,
    }


def steps_names(steps: Iterable[object], names: Collection[str]) -> set[str]:
    """The names a list of steps' templates may use: the integration's
    variables and every step's captures (``captures.chain_errors`` says
    which step may use which)."""
    return set(names) | captures.capture_names(steps)


def integration_problems(integration: Integration) -> list[str]:
    """What stops an integration from sending, as sentences (for a test send)."""

    problems = []
    names = variable_names(integration)
    problems.extend(all_step_errors(integration.steps.all(), names))
    for function in integration.functions.all():
        try:
            clean_function(function)
        except ValidationError as exc:
            problems.extend(
                gettext("function %(name)s: %(problem)s") % {"name": function.name, "problem": m}
                for m in exc.messages
            )
    for variable in integration.variables.all():
        try:
            clean_variable(variable)
        except ValidationError as exc:
            if variable.mode == VariableMode.FIXED:
                problems.extend(
                    gettext("variable %(name)s: %(problem)s") % {"name": variable.name, "problem": m}
                    for m in exc.messages
                )
    return problems


def missing_required_values(integration: Integration) -> list[str]:
    """The integration's required predefined variables (of its kind or preset)
    that have no value to send with, as sentences. Such an integration would
    only fail when it sends, so the API refuses to save it active."""

    problems = []
    for variable in integration.variables.all():
        spec = kinds.spec_for(integration, variable.name)
        if spec and spec.required and variable.mode == VariableMode.FIXED and not variable.get_value():
            problems.append(needs_value(variable.name))
    return problems
