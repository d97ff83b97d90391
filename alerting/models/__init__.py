from alerting.models.audit import AuditAction, AuditEntry
from alerting.models.definitions import AlertDefinition, EscalationLevel, EscalationMode
from alerting.models.inbound import InboundFormat, InboundPayload, InboundSource
from alerting.models.incidents import (
    Alert,
    AlertType,
    CheckResult,
    CheckStatus,
    EscalationState,
    Incident,
    IncidentStatus,
)
from alerting.models.ingest import AccountSettings, ApiKey, ApiScope, IdempotencyRecord
from alerting.models.monitors import MaintenancePeriod, MaintenanceType, Monitor, MonitorGroup
from alerting.models.operators import Language, OffDutySchedule, Operator, OperatorGroup
from alerting.models.pings import PingToken
from alerting.models.preferences import StaffPreference
from alerting.models.runtime import MetricTally, RateCounter, WorkerHeartbeat
from alerting.models.schedules import ScheduleMode, Weekday

__all__ = [
    "AccountSettings",
    "Alert",
    "AlertDefinition",
    "AlertType",
    "ApiKey",
    "ApiScope",
    "AuditAction",
    "AuditEntry",
    "CheckResult",
    "CheckStatus",
    "EscalationLevel",
    "EscalationMode",
    "EscalationState",
    "IdempotencyRecord",
    "InboundFormat",
    "InboundPayload",
    "InboundSource",
    "Incident",
    "IncidentStatus",
    "Language",
    "MaintenancePeriod",
    "MaintenanceType",
    "MetricTally",
    "Monitor",
    "MonitorGroup",
    "OffDutySchedule",
    "Operator",
    "OperatorGroup",
    "PingToken",
    "RateCounter",
    "ScheduleMode",
    "StaffPreference",
    "Weekday",
    "WorkerHeartbeat",
]
