from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext
from rest_framework.serializers import BaseSerializer, ValidationError

from alerting.api.resources.common import ConfigViewSet, document, refuse
from integrations.api.resources.serializers import IntegrationSerializer
from integrations.models import Integration
from integrations.validation import missing_required_values


@document("integrations", IntegrationSerializer, "Integrations")
class IntegrationViewSet(ConfigViewSet):
    serializer_class = IntegrationSerializer

    def get_queryset(self) -> QuerySet[Integration]:
        return Integration.objects.prefetch_related("variables", "steps", "statushub_services", "functions")

    # Create and update run in one transaction (ConfigViewSet): a refusal
    # after the save undoes it.
    def perform_create(self, serializer: BaseSerializer[Integration]) -> None:
        check_required_values(serializer.save())

    def perform_update(self, serializer: BaseSerializer[Integration]) -> None:
        assert serializer.instance is not None
        was_active = serializer.instance.is_active
        integration = serializer.save()
        if not was_active:
            check_required_values(integration)

    def perform_destroy(self, instance: Integration) -> None:
        if instance.is_builtin:
            refuse(
                gettext("%(name)s is a built-in integration and cannot be deleted; deactivate it instead.")
                % {"name": instance.name}
            )
        instance.delete()


def check_required_values(integration: Integration) -> None:
    """An active integration must have its required values, or it would fail
    only when it sends. Checked when one is created or turned on: a built-in
    one may be filled in a value at a time (a value sent empty is refused by
    the variable's own check), and an inactive one sends nothing."""
    missing = missing_required_values(integration) if integration.is_active else []
    if missing:
        raise ValidationError({"variables": missing})
