"""Rules for an escalation level's integration link that no single model field
can check: they depend on the integration it points at. Shared by the API and
``apply_config``, so both refuse the same things."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from alerting.models import Monitor


def link_errors(
    integration: Any,
    variable_values: Any,
    extra_email_addresses: Any,
    statushub_service_links: Any,
) -> dict[str, str]:
    """Field name → message for everything wrong with the link (empty if fine)."""
    from integrations.models import IntegrationKind, VariableMode

    errors: dict[str, str] = {}
    if not isinstance(variable_values, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in variable_values.items()
    ):
        errors["variable_values"] = gettext("Enter an object whose keys and values are all strings.")
    else:
        from integrations.validation import level_value_errors

        problems = level_value_errors(integration, variable_values)
        if problems:
            errors["variable_values"] = " ".join(problems)
        per_level = set(
            integration.variables.filter(mode=VariableMode.PER_LEVEL).values_list("name", flat=True)
        )
        unknown = sorted(set(variable_values) - per_level)
        if unknown:
            allowed = ", ".join(sorted(per_level)) or gettext("none")
            errors["variable_values"] = gettext(
                "%(names)s: not a per-level variable of %(integration)s (it has: %(allowed)s)."
            ) % {"names": ", ".join(unknown), "integration": integration.name, "allowed": allowed}
    if extra_email_addresses and integration.kind != IntegrationKind.EMAIL:
        errors["extra_email_addresses"] = gettext("Extra e-mail addresses are for e-mail integrations only.")
    if statushub_service_links:
        if integration.kind != IntegrationKind.STATUSHUB:
            errors["statushub_service_links"] = gettext(
                "StatusHub service links are for StatusHub integrations only."
            )
        elif isinstance(statushub_service_links, list):
            services = set(integration.statushub_services.values_list("name", flat=True))
            for item in statushub_service_links:
                if not isinstance(item, dict):
                    continue
                if item.get("service") not in services:
                    errors["statushub_service_links"] = gettext(
                        "%(integration)s has no StatusHub service named %(service)s."
                    ) % {"integration": integration.name, "service": repr(item.get("service"))}
                elif not Monitor.objects.filter(key=item.get("monitor")).exists():
                    errors["statushub_service_links"] = gettext("No monitor has the key %(key)s.") % {
                        "key": repr(item.get("monitor"))
                    }
    return errors
