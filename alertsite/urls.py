from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from alerting.ack_page import acknowledge_link
from alerting.admin.language import choose_language
from alerting.api.schema import DocsView, SchemaView
from alerting.ping import ping
from alertsite.health import healthz, healthz_delivery
from alertsite.observability.metrics import metrics
from integrations.voice import twilio_voice

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("healthz/delivery", healthz_delivery, name="healthz-delivery"),
    # Prometheus; needs METRICS_TOKEN (404 while it is unset).
    path("metrics", metrics, name="metrics"),
    # Healthchecks-style ping URLs: no API key, the token is the credential.
    path("ping/<str:token>", ping, name="ping"),
    path("ping/<str:token>/<str:action>", ping, name="ping-action"),
    # Acknowledge links from messages: no login, the signed token is the credential.
    path("ack/<str:token>", acknowledge_link, name="acknowledge-link"),
    # Twilio posts the key pressed during an alert call; checked by X-Twilio-Signature.
    path("hooks/twilio/voice/<str:token>", twilio_voice, name="twilio-voice-hook"),
    path("api/v1/", include("alerting.api.urls")),
    path("api/v1/", include("integrations.api.urls")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", DocsView.as_view(url_name="schema"), name="api-docs"),
    path("admin/language/", choose_language, name="admin-language"),
    # The texts the admin's scripts write (the djangojs catalogues), in the
    # page's language; public, like the scripts themselves.
    path(
        "jsi18n/", JavaScriptCatalog.as_view(packages=["alerting", "integrations"]), name="javascript-catalog"
    ),
    path("admin/", admin.site.urls),
]

# Under /api/ even Django's own error answers (an id the URL pattern refuses,
# an unknown path, a crash) keep the API's JSON error shape.
handler400 = "alerting.api.errors.bad_request"
handler403 = "alerting.api.errors.permission_denied"
handler404 = "alerting.api.errors.page_not_found"
handler500 = "alerting.api.errors.server_error"
