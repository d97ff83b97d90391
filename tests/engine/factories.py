"""Small builders for engine tests: definitions, levels, operators, integrations."""

from __future__ import annotations

from typing import Any

from alerting.models import AlertDefinition, EscalationLevel, Monitor, MonitorGroup, Operator, OperatorGroup
from integrations.models import Integration, IntegrationStep, LevelIntegration


def everyone() -> OperatorGroup:
    return OperatorGroup.objects.get(is_everyone=True)


def all_monitors() -> MonitorGroup:
    return MonitorGroup.objects.get(is_all_monitors=True)


def silence_default_definition() -> None:
    AlertDefinition.objects.filter(name="Default alert definition").update(is_active=False)


def monitor(key: str = "web", **fields: Any) -> Monitor:
    return Monitor.objects.create(key=key, name=fields.pop("name", key), **fields)


def integration(name: str, kind: str = "slack", **fields: Any) -> Integration:
    return Integration.objects.create(name=name, kind=kind, **fields)


def webhook(name: str, *, alert: bool = True, ok: bool = True, reminder: bool = True) -> Integration:
    hook = Integration.objects.create(name=name, kind="webhook")
    IntegrationStep.objects.create(
        integration=hook,
        position=1,
        handles_alert=alert,
        handles_ok=ok,
        handles_reminder=reminder,
        url="https://receiver.example/hook",
    )
    return hook


def builtin(kind: str) -> Integration:
    return Integration.objects.get(kind=kind, is_builtin=True)


def definition(
    name: str,
    levels: list[dict[str, Any]],
    *,
    monitors: list[Monitor] = (),
    groups: list[MonitorGroup] = (),
    integrations: list[Integration] | None = None,
    is_active: bool = True,
) -> AlertDefinition:
    """``levels``: one dict per level (number = position), e.g.
    ``{"mode": "error_duration", "threshold": 5, "reminders": 2, "delay": 10}``.
    Each level gets ``integrations`` (default: a Slack-kind integration named
    after the definition) unless the dict says ``integrations``."""
    d = AlertDefinition.objects.create(name=name, is_active=is_active)
    d.monitors.add(*monitors)
    d.monitor_groups.add(*groups)
    default = integrations if integrations is not None else [integration(f"{name} chat")]
    for number, spec in enumerate(levels, start=1):
        level = EscalationLevel.objects.create(
            definition=d,
            number=number,
            is_active=spec.get("active", True),
            mode=spec.get("mode", "error_count"),
            threshold=spec.get("threshold", 1),
            number_of_reminders=spec.get("reminders", 0),
            reminder_delay_minutes=spec.get("delay", 60),
            message=spec.get("message", ""),
        )
        level.operators.add(*spec.get("operators", []))
        level.operator_groups.add(*spec.get("operator_groups", []))
        for target in spec.get("integrations", default):
            link_fields = spec.get("link", {})
            LevelIntegration.objects.create(level=level, integration=target, **link_fields)
    return d


def operator(name: str, **fields: Any) -> Operator:
    email = fields.pop("email", f"{name.lower().replace(' ', '.')}@example.com")
    return Operator.objects.create(full_name=name, email=email, **fields)
