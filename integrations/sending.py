"""From an outbox Message (or a test) to a transport call.

``send_message`` resolves everything a message needs into plain values (a
``Prepared``: the ``Outgoing`` its transport is given, with the steps as
``StepSpec`` values and the user functions): the alert's variable snapshot,
the integration's fixed values, the level's values, the recipient, the
secrets to redact. ``integrations.rendering`` renders it and calls the
transport; no model row goes further than this module. Test sends and
previews build the same thing from the catalogue's example values and never
touch the outbox.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import requests
from django.conf import settings
from django.utils.translation import gettext

from alertsite.i18n import django_language
from integrations import catalogue, kinds, presets
from integrations.models import IntegrationKind, VariableMode
from integrations.rendering import Prepared, StepSpec, deliver
from integrations.templating import render, vault
from integrations.templating.automatic import UNIQUE_GUID, new_guid
from integrations.templating.functions import UserFunction
from integrations.transports.base import Exchange, TransportError
from integrations.transports.outgoing import Outgoing
from integrations.transports.redact import Redactor
from integrations.validation_functions import parts_templates

if TYPE_CHECKING:
    from integrations.models import (
        Integration,
        IntegrationFunction,
        IntegrationStep,
        IntegrationVariable,
        Message,
        StatusHubService,
    )

ALERT_TYPES = ("Alert", "Ok", "Reminder", "Acknowledged")
# A link cut short is a broken link: value limits never apply to these.
NEVER_CUT = frozenset({"@incident.acknowledgeUrl"})


@dataclass
class Parts:
    """An integration's variables, steps and StatusHub services: as stored,
    or as an editor's form holds them, unsaved (a preview or test send)."""

    variables: list[IntegrationVariable] = field(default_factory=list)
    steps: list[IntegrationStep] = field(default_factory=list)
    services: list[StatusHubService] = field(default_factory=list)
    functions: list[IntegrationFunction] = field(default_factory=list)

    def templates(self) -> Iterator[str]:
        """Every template that may name a vault item."""
        yield from parts_templates(self.steps, self.variables, self.functions)


def stored_parts(integration: Integration) -> Parts:
    return Parts(
        list(integration.variables.all()),
        sorted(integration.steps.all(), key=lambda s: s.position),
        list(integration.statushub_services.all()),
        list(integration.functions.all()),
    )


def send_message(message: Message, session: requests.Session) -> list[Exchange]:
    """Render ``message`` and send it; raises TransportError on failure."""
    alert = message.alert
    if alert is None:
        raise TransportError(gettext("The message has no alert to send."), permanent=True)
    links: list[dict[str, str]] = []
    if message.level_link is not None:
        links = list(message.level_link.statushub_service_links or [])
    monitor = alert.incident.monitor
    system = {**(alert.variables or {}), **per_message_variables(message)}
    language, time_zone = reader_locale(message)
    callback = ""
    if message.integration.kind == IntegrationKind.PHONE and alert.alert_type in ("Alert", "Reminder"):
        from alerting.ack_links import voice_callback_url

        callback = voice_callback_url(
            alert.incident.key, link_recipient(message), str(message.integration_id), language
        )
    prepared = build_outgoing(
        message.integration,
        alert_type=alert.alert_type,
        system=system,
        level_variables=message.level_variables or {},
        recipient=message.recipient,
        message_id=str(message.pk),
        statushub_services=linked_services(message.integration, links, {monitor.key, str(monitor.pk)}),
        language=language,
        time_zone=time_zone,
        voice_callback_url=callback,
    )
    return deliver(prepared, session)


def reader_locale(message: Message) -> tuple[str, str]:
    """The language and time zone of whoever reads ``message``: its operator's,
    else (a channel, an extra address) the account's."""
    operator = message.operator if message.operator_id is not None else None
    if operator is None:
        return settings.ACCOUNT_LANGUAGE, settings.TIME_ZONE
    return django_language(operator.language), operator.zone()


def link_recipient(message: Message) -> str:
    """Who an acknowledge link in ``message`` acknowledges as: the operator,
    else the address it went to, else the integration."""
    if message.operator_id is not None and message.operator is not None:
        return message.operator.full_name or message.recipient
    return message.recipient or message.integration.name


def per_message_variables(message: Message) -> dict[str, str]:
    """The extensions that depend on the message, not only its alert:
    ``@incident.acknowledgeUrl`` is signed for this message's recipient."""
    from alerting.ack_links import acknowledge_url

    assert message.alert is not None
    language, _zone = reader_locale(message)
    url = acknowledge_url(message.alert.incident.key, link_recipient(message), language=language)
    return {"@incident.acknowledgeUrl": url}


def build_outgoing(
    integration: Integration,
    *,
    alert_type: str,
    system: dict[str, Any],
    level_variables: dict[str, Any] | None = None,
    recipient: str = "",
    message_id: str = "",
    statushub_services: list[tuple[str, str]] | None = None,
    dry_run: bool = False,
    parts: Parts | None = None,
    language: str = "",
    time_zone: str = "",
    voice_callback_url: str = "",
) -> Prepared:
    """The message as plain values; ``language`` and ``time_zone`` (the
    reader's) default to the account's."""
    parts = parts if parts is not None else stored_parts(integration)
    level_variables = level_variables or {}
    redactor = Redactor()
    secrets_context = vault_context(parts, redactor)
    variables: dict[str, str] = {}
    for variable in parts.variables:
        if variable.mode == VariableMode.PER_LEVEL:
            value = str(level_variables.get(variable.name, "") or "")
        else:
            value = variable.get_value()
            if "{{" in value and not kinds_template(integration, variable.name):
                # A value picked from the vault (validated to hold nothing else).
                value = render(value, secrets_context)
        variables[variable.name] = value
        if variable.is_secret:
            redactor.add(value)
    for step in parts.steps:
        redactor.add(step.auth_password)
        redactor.add(step.auth_token)
    for secret in integration.signing_secrets or []:
        redactor.add(secret)
    services = statushub_services or []
    for _name, url in services:
        redactor.add(url)

    context = _system_context(system, presets.value_limits(integration.preset))
    context.update(variables)
    # One {{@UniqueGuid}} for every step, URL, header and body of this message.
    context[UNIQUE_GUID] = new_guid()
    context.update(secrets_context)
    out = Outgoing(
        kind=integration.kind,
        alert_type=alert_type,
        context=context,
        variables=variables,
        message_id=message_id or str(uuid.uuid4()),
        redactor=redactor,
        timeout=(
            integration.connect_timeout or settings.DELIVERY_CONNECT_TIMEOUT,
            integration.read_timeout or settings.DELIVERY_READ_TIMEOUT,
        ),
        recipient=recipient,
        dry_run=dry_run,
        signing_secrets=tuple(integration.signing_secrets or ()),
        voice_callback_url=voice_callback_url,
        language=language or settings.ACCOUNT_LANGUAGE,
        time_zone=time_zone or settings.TIME_ZONE,
    )
    return Prepared(
        out=out,
        steps=tuple(StepSpec.from_row(step) for step in parts.steps),
        functions=user_functions(parts.functions, secrets_context, redactor),
        services=tuple(services),
    )


def kinds_template(integration: Integration, name: str) -> bool:
    """Whether the variable's value is itself a template (an e-mail subject),
    rendered with the whole context when the e-mail is composed."""
    spec = kinds.spec_for(integration, name)
    return bool(spec and spec.template)


def vault_context(parts: Parts, redactor: Redactor) -> dict[str, str]:
    """The values of the vault items the integration's templates name (as
    stored, or as the editor holds them), under the keys the renderer looks
    them up by; passwords and secrets are redacted."""
    from integrations.models import VaultItem

    ids = vault.references(parts.templates())
    context: dict[str, str] = {}
    for item in VaultItem.objects.filter(id__in=ids) if ids else []:
        for name, value in item.values().items():
            context[vault.context_key(str(item.pk), name)] = value
            if name in vault.SECRET_FIELDS:
                redactor.add(value)
    return context


def user_functions(
    rows: list[IntegrationFunction], secrets_context: dict[str, str], redactor: Redactor
) -> dict[str, UserFunction]:
    functions = {}
    for function in rows:
        key = render(function.hash_key, secrets_context) if "{{" in function.hash_key else function.hash_key
        redactor.add(key)
        functions[function.name] = function.as_data(key)
    return functions


def _system_context(system: dict[str, Any], limits: dict[str, int]) -> dict[str, str]:
    context: dict[str, str] = {}
    for name, value in system.items():
        if name == "customFields" and isinstance(value, dict):
            for field, field_value in value.items():
                context[catalogue.custom_field_key(str(field))] = _plain(field_value)
        elif name.startswith("@"):
            context[name] = _plain(value)
    if limits:
        default = limits.get("*")
        for name, value in context.items():
            if name in NEVER_CUT:
                continue
            limit = limits.get(name, default)
            if limit is not None and len(value) > limit:
                context[name] = value[: max(0, limit - 1)] + "…"
    return context


def _plain(value: Any) -> str:
    return "" if value is None else str(value)


def linked_services(
    integration: Integration, links: list[dict[str, str]], monitor_ids: set[str]
) -> list[tuple[str, str]]:
    """StatusHub: the services the level links to this monitor."""
    if integration.kind != IntegrationKind.STATUSHUB:
        return []
    wanted = {link.get("service") for link in links if link.get("monitor") in monitor_ids}
    return [(s.name, s.webhook_url) for s in integration.statushub_services.all() if s.name in wanted]


# --- Test sends and previews ------------------------------------------------------------


def build_test_message(
    integration: Integration,
    alert_type: str = "Alert",
    level: int = 1,
    *,
    recipient: str = "",
    level_variables: dict[str, str] | None = None,
    dry_run: bool = False,
    parts: Parts | None = None,
) -> Prepared:
    """A message filled with the catalogue's example values, as Uptrends
    fills a test alert; per-level variables take ``level_variables``.
    ``parts`` (default: as stored) lets the editor test what it holds unsaved."""
    if alert_type not in ALERT_TYPES:
        raise ValueError(
            gettext("The alert type is one of %(types)s, not %(type)s.")
            % {"types": ", ".join(ALERT_TYPES), "type": repr(alert_type)}
        )
    parts = parts if parts is not None else stored_parts(integration)
    services = [(s.name, s.webhook_url) for s in parts.services]
    return build_outgoing(
        integration,
        alert_type=alert_type,
        system=catalogue.example_values(alert_type, level),
        level_variables=level_variables,
        recipient=recipient,
        message_id=f"test-{uuid.uuid4()}",
        statushub_services=services if integration.kind == IntegrationKind.STATUSHUB else [],
        dry_run=dry_run,
        parts=parts,
    )


def send_test(
    integration: Integration,
    alert_type: str = "Alert",
    level: int = 1,
    *,
    session: requests.Session | None = None,
    recipient: str = "",
    level_variables: dict[str, str] | None = None,
    dry_run: bool = False,
    parts: Parts | None = None,
) -> list[Exchange]:
    """Send (or with ``dry_run`` only build) a test alert; TransportError on refusal."""
    prepared = build_test_message(
        integration,
        alert_type,
        level,
        recipient=recipient,
        level_variables=level_variables,
        dry_run=dry_run,
        parts=parts,
    )
    if session is None:
        session = send_session(prepared.out.timeout)
    with session:
        return deliver(prepared, session)


def preview(
    integration: Integration, alert_type: str = "Alert", level: int = 1, **kwargs: Any
) -> list[Exchange]:
    """The request(s) a test would make, redacted, without sending anything
    (prepared by the session that would send them, so their headers are the
    ones sent)."""
    return send_test(integration, alert_type, level, dry_run=True, **kwargs)


def send_session(timeout: tuple[float, float]) -> requests.Session:
    from integrations.outbound import outbound_session

    return outbound_session(*timeout)
