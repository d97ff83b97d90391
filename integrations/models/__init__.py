from integrations.models.integrations import (
    OPERATOR_KINDS,
    AuthType,
    HttpMethod,
    Integration,
    IntegrationKind,
    IntegrationStep,
    IntegrationVariable,
    StatusHubService,
    VariableMode,
)
from integrations.models.messages import (
    FINAL_STATUSES,
    OUTCOME_UNKNOWN,
    Message,
    MessageAttempt,
    MessageStatus,
)

__all__ = [
    "FINAL_STATUSES",
    "OPERATOR_KINDS",
    "OUTCOME_UNKNOWN",
    "AuthType",
    "HttpMethod",
    "Integration",
    "IntegrationKind",
    "IntegrationStep",
    "IntegrationVariable",
    "Message",
    "MessageAttempt",
    "MessageStatus",
    "StatusHubService",
    "VariableMode",
]
