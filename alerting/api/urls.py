from django.urls import include, path

from alerting.api.alerts import AlertsView
from alerting.api.audit import AuditList
from alerting.api.history import IncidentDetail, IncidentList
from alerting.api.inbound import view_for
from alerting.api.responding import AcknowledgeView, UnacknowledgeView
from alerting.inbound.formats import FORMATS

# Routes under /api/v1/ for ingest and the read side (incidents, alerts).
urlpatterns: list = [
    path("alerts", AlertsView.as_view(), name="api-alerts"),
    path("audit", AuditList.as_view(), name="api-audit"),
    path("incidents", IncidentList.as_view(), name="api-incidents"),
    path("incidents/<str:key>", IncidentDetail.as_view(), name="api-incident"),
    path("incidents/<str:key>/acknowledge", AcknowledgeView.as_view(), name="api-incident-acknowledge"),
    path("incidents/<str:key>/unacknowledge", UnacknowledgeView.as_view(), name="api-incident-unacknowledge"),
]

# Other tools' alert payloads (Alertmanager, Grafana, Uptime Kuma, Uptrends).
urlpatterns += [
    path(f"inbound/{slug}", view_for(source), name=f"api-inbound-{slug}") for slug, source in FORMATS.items()
]

# Configuration resources (operators, groups, monitors, maintenance, alert definitions).
urlpatterns += [path("", include("alerting.api.resources.urls"))]
