"""Routes for the integrations resource, included from ``integrations.api.urls``."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from integrations.api.resources.views import IntegrationViewSet
from integrations.api.vault import VaultViewSet

router = SimpleRouter(trailing_slash=False)
router.register("integrations", IntegrationViewSet, basename="integration")
router.register("vault", VaultViewSet, basename="vault")

urlpatterns = router.urls
