from django.urls import include, path

# Routes under /api/v1/ for integrations, variables, messages.
urlpatterns: list = []

# The integrations configuration resource.
urlpatterns += [path("", include("integrations.api.resources.urls"))]
