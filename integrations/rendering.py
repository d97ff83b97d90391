"""Delivery renders; transports send. From a message resolved to plain values
(``Prepared``, built by ``integrations.sending``) to the transport calls.

A custom integration's steps (and a preset's, StatusHub's, an SMS gateway's)
are ``StepSpec`` values, copied from the stored or the editor's unsaved rows.
``run_chain`` renders them one at a time with the message's variables
snapshot, plus what earlier steps captured (``integrations.captures``), into a
plain ``Request`` that the webhook transport sends; the answer's body gives
the captures for the next step. Rendering here is pure templating: no model
is read while a message is sent.

StatusHub runs the chain once per service the level links to the alert's
monitor, with ``{{ServiceName}}`` and ``{{ServiceWebhookUrl}}`` naming it; its
Uptrends hook payload is not published, so the request is a step like a
custom integration's: the kind's default steps (``kinds.json``) unless the
integration has steps of its own.

The built-in kinds (Slack, PagerDuty, Twilio, e-mail) have their vendor's
one request or e-mail written from the same values by ``integrations.composing``
(pure too); the transport only sends it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import requests
from django.utils.translation import gettext as _

from integrations import kinds
from integrations.captures import (
    Capture,
    NotFound,
    chain_for,
    parse_captures,
    placeholder,
    redact_values,
    take,
)
from integrations.composing import email as email_composing
from integrations.composing import pagerduty, slack, twilio
from integrations.templating import render, render_url
from integrations.templating.functions import UserFunction
from integrations.transports import email, http, webhook
from integrations.transports.base import Credentials, Exchange, Request, TransportError
from integrations.transports.outgoing import Outgoing
from integrations.transports.redact import redact_exchanges


@dataclass(frozen=True)
class StepSpec:
    """One step as plain values: its templates, the alert types it handles
    and what it captures from its response."""

    position: int
    name: str
    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()  # (name, value template) pairs
    body: str = ""
    content_type: str = ""
    auth_type: str = "none"  # "none", "basic", "digest", "ntlm" or "bearer"
    auth_username: str = ""
    auth_password: str = ""
    auth_token: str = ""
    handles_alert: bool = True
    handles_ok: bool = True
    handles_reminder: bool = True
    handles_acknowledged: bool = False
    captures: tuple[Capture, ...] = ()

    @classmethod
    def from_row(cls, step: Any) -> StepSpec:
        """From an ``IntegrationStep``, saved or not (read by attribute)."""
        return cls(
            position=step.position,
            name=step.name or "",
            method=step.method,
            url=step.url or "",
            headers=tuple((str(pair[0]), str(pair[1])) for pair in step.headers or []),
            body=step.body or "",
            content_type=step.content_type or "",
            auth_type=step.auth_type or "none",
            auth_username=step.auth_username or "",
            auth_password=step.auth_password or "",
            auth_token=step.auth_token or "",
            handles_alert=bool(step.handles_alert),
            handles_ok=bool(step.handles_ok),
            handles_reminder=bool(step.handles_reminder),
            handles_acknowledged=bool(step.handles_acknowledged),
            captures=tuple(parse_captures(step.captures)),
        )

    def label(self) -> str:
        if self.name:
            return _("step %(position)s (%(name)s)") % {"position": self.position, "name": self.name}
        return _("step %(position)s") % {"position": self.position}


@dataclass(frozen=True)
class Prepared:
    """A message ready to render and send: what its transport is given
    (``out``) and what rendering needs besides."""

    out: Outgoing
    # The integration's steps, in order: as stored, or as the editor holds
    # them unsaved for a preview or test send.
    steps: tuple[StepSpec, ...] = ()
    # The integration's user-defined functions, by name, their keys resolved.
    functions: Mapping[str, UserFunction] = field(default_factory=dict)
    # StatusHub: (service name, hook URL) for the services linked to this monitor.
    services: tuple[tuple[str, str], ...] = ()


def deliver(p: Prepared, session: requests.Session) -> list[Exchange]:
    """Render ``p`` and send it by its kind's transport; TransportError on failure."""
    kind = p.out.kind
    if kind == "webhook":
        return run_steps(p, session)
    if kind == "statushub":
        return statushub(p, session)
    if kind in ("sms", "phone"):
        if twilio.silent(p.out):
            return []
        return gateway(p, session) if p.steps else send_composed(p.out, twilio.request(p.out), session)
    if kind == "email":
        mail = email_composing.mail(p.out, p.functions)
        return email.send(mail, redactor=p.out.redactor, dry_run=p.out.dry_run)
    composers: dict[str, Callable[[Outgoing], Request]] = {
        "slack": slack.request,
        "pagerduty": pagerduty.request,
    }
    if kind in composers:
        return send_composed(p.out, composers[kind](p.out), session)
    raise TransportError(_("No transport for kind %(kind)s.") % {"kind": repr(kind)}, permanent=True)


def send_composed(out: Outgoing, request: Request, session: requests.Session) -> list[Exchange]:
    """Send a built-in kind's one request as composed: without the generic
    webhook's Idempotency-Key and signature (the vendor's API defines its
    own), the credentials it carries hidden from the log."""
    if request.auth is not None:
        out.redactor.add(request.auth.password)
    return [
        http.send(
            session, request, redactor=out.redactor, exchanges=[], timeout=out.timeout, dry_run=out.dry_run
        )
    ]


def run_steps(p: Prepared, session: requests.Session) -> list[Exchange]:
    chain = chain_for(p.steps, p.out.alert_type)
    if not chain:
        return []  # no step handles this type: there is nothing to send
    return run_chain(p, chain, session)


def statushub(p: Prepared, session: requests.Session) -> list[Exchange]:
    steps = p.steps or tuple(
        StepSpec.from_row(SimpleNamespace(**d)) for d in kinds.default_step_data("statushub")
    )
    chain = chain_for(steps, p.out.alert_type)
    if not chain:
        return []
    if not p.services:
        raise TransportError(
            _("StatusHub: no service is linked to this monitor on this level."), permanent=True
        )
    exchanges: list[Exchange] = []
    for name, url in p.services:
        run_chain(
            p,
            chain,
            session,
            extra_context={"ServiceName": name, "ServiceWebhookUrl": url},
            exchanges=exchanges,
        )
    return exchanges


def gateway(p: Prepared, session: requests.Session) -> list[Exchange]:
    """A generic SMS/voice HTTP gateway instead of Twilio: the integration's
    own steps, with ``{{Recipient}}`` and ``{{Text}}`` (already cut to 1600)."""
    chain = chain_for(p.steps, p.out.alert_type)
    if not chain:
        return []
    if not p.out.recipient:
        raise TransportError(_("No phone number to send to."), permanent=True)
    text = twilio.sms_text(p.out)
    return run_chain(p, chain, session, extra_context={"Recipient": p.out.recipient, "Text": text})


def run_chain(
    p: Prepared,
    chain: list[StepSpec],
    session: requests.Session,
    *,
    extra_context: dict[str, str] | None = None,
    exchanges: list[Exchange] | None = None,
) -> list[Exchange]:
    """Run a message's steps in order. Each is rendered with the message's
    context plus what earlier steps captured; a required capture that finds
    nothing stops the message with a permanent error naming step and capture.

    A retry runs the whole chain again from the first step (tokens and
    lookups are fresh); each step's ``Idempotency-Key`` is the same on every
    retry, so a receiver that honours it drops a repeated side effect.
    """
    out = p.out
    log = exchanges if exchanges is not None else []
    captured: dict[str, str] = {}
    several = len(chain) > 1
    for step in chain:
        raw: list[str] = []
        context = {**out.context, **(extra_context or {}), **captured}
        request, secrets = render_step(step, context, p.functions)
        for secret in secrets:
            out.redactor.add(secret)
        webhook.send(
            out,
            session,
            request,
            exchanges=log,
            idempotency_key=f"{out.message_id}-{step.position}" if several else out.message_id,
            raw_body=raw if step.captures else None,
        )
        if not step.captures:
            continue
        if out.dry_run:
            # Nothing was sent, so nothing can be captured: later steps show the placeholder.
            captured.update({c.name: placeholder(c.name) for c in step.captures})
            continue
        try:
            values = take(step.label(), step.captures, raw[0] if raw else "")
        except NotFound as exc:
            log[-1].error = str(exc)
            raise TransportError(str(exc), permanent=True, exchanges=log) from None
        # Secret captures are hidden from everything recorded, this step's response included.
        hidden = redact_values(values, step.captures)
        if hidden:
            for secret in hidden:
                out.redactor.add(secret)
            redact_exchanges(log, out.redactor)
        captured.update(values)
    return log


def render_step(
    step: StepSpec, context: Mapping[str, str], functions: Mapping[str, UserFunction]
) -> tuple[Request, tuple[str, ...]]:
    """The request ``step`` makes with ``context``, and the credentials it
    rendered (for the redactor)."""
    url = render_url(step.url, context, functions=functions)
    headers: dict[str, str] = {}
    for raw_name, template in step.headers:
        name, value = raw_name.strip(), render(template, context, functions=functions)
        if name:
            # A value spanning lines would be refused by the HTTP library.
            headers[name] = " ".join(value.splitlines()).strip()
    body = render(step.body, context, functions=functions) if step.body and step.method != "GET" else ""
    if body and step.content_type and not _has(headers, "Content-Type"):
        headers["Content-Type"] = step.content_type

    # Credentials that render empty (an optional token left blank) send no
    # Authorization header rather than an invalid one.
    auth: Credentials | None = None
    secrets: tuple[str, ...] = ()
    if step.auth_type in ("basic", "digest", "ntlm"):
        username = render(step.auth_username, context, functions=functions)
        password = render(step.auth_password, context, functions=functions)
        secrets = (password,)
        if username or password:
            auth = Credentials(step.auth_type, username, password)
    elif step.auth_type == "bearer":
        token = render(step.auth_token, context, functions=functions).strip()
        secrets = (token,)
        if token:
            headers["Authorization"] = f"Bearer {token}"
    return Request(step.method, url, headers, body or None, auth), secrets


def _has(headers: dict[str, str], name: str) -> bool:
    return any(key.lower() == name.lower() for key in headers)
