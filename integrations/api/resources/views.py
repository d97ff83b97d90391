from __future__ import annotations

from django.db.models import QuerySet

from alerting.api.resources.common import ConfigViewSet, document, refuse
from integrations.api.resources.serializers import IntegrationSerializer
from integrations.models import Integration


@document("integrations", IntegrationSerializer, "Integrations")
class IntegrationViewSet(ConfigViewSet):
    serializer_class = IntegrationSerializer

    def get_queryset(self) -> QuerySet[Integration]:
        return Integration.objects.prefetch_related("variables", "steps", "statushub_services")

    def perform_destroy(self, instance: Integration) -> None:
        if instance.is_builtin:
            refuse(f"{instance.name} is a built-in integration and cannot be deleted; deactivate it instead.")
        instance.delete()
