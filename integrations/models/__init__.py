from integrations.models.functions import FunctionKind, HashAlgorithm, HashEncoding, IntegrationFunction
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
from integrations.models.level_links import LevelIntegration
from integrations.models.messages import (
    FINAL_STATUSES,
    OUTCOME_UNKNOWN,
    Message,
    MessageAttempt,
    MessageStatus,
)
from integrations.models.vault import VaultItem

__all__ = [
    "FINAL_STATUSES",
    "OPERATOR_KINDS",
    "OUTCOME_UNKNOWN",
    "AuthType",
    "FunctionKind",
    "HashAlgorithm",
    "HashEncoding",
    "HttpMethod",
    "Integration",
    "IntegrationFunction",
    "IntegrationKind",
    "IntegrationStep",
    "IntegrationVariable",
    "LevelIntegration",
    "Message",
    "MessageAttempt",
    "MessageStatus",
    "StatusHubService",
    "VariableMode",
    "VaultItem",
]
