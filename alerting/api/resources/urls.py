"""Routes for the configuration resources, included from ``alerting.api.urls``."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from alerting.api.resources.definitions import AlertDefinitionViewSet
from alerting.api.resources.maintenance import MaintenancePeriodViewSet
from alerting.api.resources.monitor_groups import MonitorGroupViewSet
from alerting.api.resources.monitors import MonitorViewSet
from alerting.api.resources.operator_groups import OperatorGroupViewSet
from alerting.api.resources.operators import OperatorViewSet

# Paths without a trailing slash, like the rest of the API: /api/v1/monitors/{id-or-key}.
router = SimpleRouter(trailing_slash=False)
router.register("operators", OperatorViewSet, basename="operator")
router.register("operator-groups", OperatorGroupViewSet, basename="operator-group")
router.register("monitors", MonitorViewSet, basename="monitor")
router.register("monitor-groups", MonitorGroupViewSet, basename="monitor-group")
router.register("maintenance-periods", MaintenancePeriodViewSet, basename="maintenance-period")
router.register("alert-definitions", AlertDefinitionViewSet, basename="alert-definition")

urlpatterns = [
    # Ahead of the router's detail route, whose key pattern (keys may hold
    # slashes) would take ".../rotate-ping-url" as part of the key.
    path(
        "monitors/<path:id_or_key>/rotate-ping-url",
        MonitorViewSet.as_view({"post": "rotate_ping_url"}),
        name="monitor-rotate-ping-url",
    ),
    *router.urls,
]
