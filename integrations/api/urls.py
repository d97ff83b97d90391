from django.urls import include, path

from integrations.api.messages import MessageListView, MessageRetryView
from integrations.api.testing import IntegrationTestView
from integrations.api.variables import VariableListView

# Routes under /api/v1/ for integrations, variables, messages.
urlpatterns: list = []

# The variable catalogue and test sends.
urlpatterns += [
    path("variables", VariableListView.as_view(), name="variables"),
    path("integrations/<uuid:pk>/test", IntegrationTestView.as_view(), name="integration-test"),
]

# The integrations configuration resource.
urlpatterns += [path("", include("integrations.api.resources.urls"))]

# The message log and retrying a message.
urlpatterns += [
    path("messages", MessageListView.as_view(), name="api-messages"),
    path("messages/<int:pk>/retry", MessageRetryView.as_view(), name="api-message-retry"),
]
