"""Integrations that cannot send until someone fills in their settings (an
SMS or phone integration without its Twilio account, say): shown as *needs
setup* in the integration list and on the dashboard instead of as healthy."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from integrations import kinds
from integrations.models import Integration, IntegrationVariable


def missing_settings(integration: Integration) -> list[str]:
    """The kind's required variables left empty (reads prefetched variables)."""
    required = kinds.required_names(integration.kind)
    if not required:
        return []
    values = {v.name: v.get_value() for v in integration.variables.all()}
    return [name for name in required if not (values.get(name) or "").strip()]


def with_variables(queryset: QuerySet[Integration]) -> QuerySet[Integration]:
    return queryset.prefetch_related(
        Prefetch("variables", queryset=IntegrationVariable.objects.order_by("pk"))
    )


def needing_setup() -> list[tuple[Integration, list[str]]]:
    """Active integrations that cannot send yet, with what is missing."""
    found = []
    for integration in with_variables(Integration.objects.filter(is_active=True).order_by("name")):
        missing = missing_settings(integration)
        if missing:
            found.append((integration, missing))
    return found
