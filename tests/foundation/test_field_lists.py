"""Each configuration resource's fields are defined once (``alerting.field_lists``,
``integrations.field_lists``) and the admin, the API and the config file use
that one list: a model field added without deciding where it shows fails here."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models

from alerting import field_lists as af
from alerting.admin.level_forms import LevelForm, LevelIntegrationForm
from alerting.api.resources.definitions import (
    AlertDefinitionSerializer,
    EscalationLevelSerializer,
    LevelIntegrationSerializer,
)
from alerting.api.resources.maintenance import MaintenancePeriodSerializer
from alerting.api.resources.monitors import MonitorSerializer
from alerting.api.resources.operators import OffDutyScheduleSerializer, OperatorSerializer
from alerting.configfile import spec
from alerting.models import (
    AlertDefinition,
    EscalationLevel,
    MaintenancePeriod,
    Monitor,
    OffDutySchedule,
    Operator,
)
from integrations import field_lists as inf
from integrations.admin.forms import IntegrationForm, StatusHubServiceForm, StepForm, VariableForm
from integrations.admin.functions import FunctionForm, VaultItemForm
from integrations.api.resources.functions import FunctionSerializer
from integrations.api.resources.parts import StatusHubServiceSerializer, StepSerializer, VariableSerializer
from integrations.api.resources.serializers import IntegrationSerializer
from integrations.api.vault import VaultItemSerializer
from integrations.models import (
    Integration,
    IntegrationFunction,
    IntegrationStep,
    IntegrationVariable,
    LevelIntegration,
    StatusHubService,
    VaultItem,
)

# Fields no face edits, each for a reason: the owner (set by nesting), what
# the system keeps (timestamps, state, order), or a relation edited elsewhere.
NOT_EDITED: dict[type[models.Model], set[str]] = {
    Operator: {"id", "user", "created_at"},
    OffDutySchedule: {"id", "operator"},
    Monitor: {"id", "created_at", "last_check_at", "last_status", "consecutive_errors", "heartbeat_due_at"},
    MaintenancePeriod: {"id"},
    AlertDefinition: {"id", "created_at", "updated_at"},
    EscalationLevel: {"id", "definition"},
    LevelIntegration: {"id", "level"},
    # The delivery breaker's and rate limiter's state.
    Integration: {
        "id",
        "is_builtin",
        "created_at",
        "updated_at",
        "breaker_trips",
        "consecutive_failures",
        "paused_until",
        "probe_owner",
        "rate_next_at",
    },
    IntegrationVariable: {"id", "integration", "position"},
    IntegrationStep: {"id", "integration"},
    StatusHubService: {"id", "integration"},
    IntegrationFunction: {"id", "integration", "position"},
    VaultItem: {"id", "created_at", "updated_at"},
}
CANONICAL: dict[type[models.Model], tuple[str, ...]] = {
    Operator: af.OPERATOR,
    OffDutySchedule: af.SCHEDULE,
    Monitor: af.MONITOR,
    MaintenancePeriod: (*af.MAINTENANCE, *af.MAINTENANCE_RELATIONS),
    AlertDefinition: (*af.DEFINITION, *af.DEFINITION_RELATIONS),
    EscalationLevel: (*af.LEVEL, *af.LEVEL_RELATIONS),
    LevelIntegration: ("integration", *inf.LINK),
    Integration: (*inf.INTEGRATION, *inf.INTEGRATION_SECRETS),
    IntegrationVariable: (*inf.VARIABLE, *inf.VARIABLE_SECRETS),
    IntegrationStep: (*inf.STEP, *inf.STEP_SECRETS),
    StatusHubService: (*inf.SERVICE, *inf.SERVICE_SECRETS),
    IntegrationFunction: (*inf.FUNCTION, *inf.FUNCTION_SECRETS),
    VaultItem: (*inf.VAULT, *inf.VAULT_SECRETS),
}


def model_fields(model: type[models.Model]) -> set[str]:
    """The fields a person could set: concrete and many-to-many, not reverse."""
    return {
        f.name
        for f in model._meta.get_fields()
        if (getattr(f, "concrete", False) or f.many_to_many) and not f.auto_created
    }


@pytest.mark.parametrize("model", list(CANONICAL), ids=lambda m: m.__name__)
def test_every_model_field_is_listed_or_known_internal(model: type[models.Model]) -> None:
    listed = set(CANONICAL[model])
    internal = NOT_EDITED[model]
    assert not listed & internal, listed & internal
    missing = model_fields(model) - listed - internal
    assert not missing, f"{model.__name__}: add {sorted(missing)} to a field list (or say why not)"
    unknown = listed - model_fields(model)
    assert not unknown, f"{model.__name__}: {sorted(unknown)} are not fields of the model"


SECRETS = {
    *inf.INTEGRATION_SECRETS,
    *inf.VARIABLE_SECRETS,
    *inf.STEP_SECRETS,
    *inf.SERVICE_SECRETS,
    *inf.FUNCTION_SECRETS,
    *inf.VAULT_SECRETS,
}
# The nested parts of an integration in the API are plain serializers (they are
# matched by name or position, not saved one by one): their fields are checked,
# not their order.
DECLARED = {"variable", "step", "StatusHub", "function"}


def meta_fields(face: Any) -> tuple[str, ...]:
    return tuple(face.Meta.fields)


def declared(serializer: Any) -> tuple[str, ...]:
    return tuple(serializer().fields)


# Each face: its fields, the canonical list, and what the face adds of its own
# (read-only state, "…_set" flags for secrets it never shows back, nesting).
FACES: list[tuple[str, tuple[str, ...], tuple[str, ...], set[str]]] = [
    (
        "API operator",
        meta_fields(OperatorSerializer),
        af.OPERATOR,
        {"id", "off_duty_schedules", "groups", "created_at"},
    ),
    ("API off-duty schedule", meta_fields(OffDutyScheduleSerializer), af.SCHEDULE, {"id"}),
    (
        "API monitor",
        meta_fields(MonitorSerializer),
        af.MONITOR,
        {"id", "ping_url", "groups", "created_at", "last_check_at", "last_status"},
    ),
    (
        "API maintenance period",
        meta_fields(MaintenancePeriodSerializer),
        (*af.MAINTENANCE_RELATIONS, *af.MAINTENANCE),
        {"id"},
    ),
    (
        "API alert definition",
        meta_fields(AlertDefinitionSerializer),
        (*af.DEFINITION, *af.DEFINITION_RELATIONS),
        {"id", "levels", "created_at"},
    ),
    ("API level", meta_fields(EscalationLevelSerializer), (*af.LEVEL, *af.LEVEL_RELATIONS), {"integrations"}),
    (
        "API level integration",
        meta_fields(LevelIntegrationSerializer),
        inf.LINK,
        {"integration", "integration_name", "integration_kind"},
    ),
    (
        "API integration",
        meta_fields(IntegrationSerializer),
        (*inf.INTEGRATION, *inf.INTEGRATION_SECRETS),
        {
            "id",
            "is_builtin",
            "signing_secrets_set",
            "variables",
            "steps",
            "statushub_services",
            "functions",
            "warnings",
            "created_at",
            "updated_at",
        },
    ),
    (
        "API variable",
        declared(VariableSerializer),
        (*inf.VARIABLE, *inf.VARIABLE_SECRETS),
        {"secret_value_set"},
    ),
    (
        "API step",
        declared(StepSerializer),
        (*inf.STEP, *inf.STEP_SECRETS),
        {"auth_password_set", "auth_token_set"},
    ),
    (
        "API StatusHub service",
        declared(StatusHubServiceSerializer),
        (*inf.SERVICE, *inf.SERVICE_SECRETS),
        {"webhook_url_set"},
    ),
    ("API function", declared(FunctionSerializer), (*inf.FUNCTION, *inf.FUNCTION_SECRETS), {"hash_key_set"}),
    (
        "API vault item",
        meta_fields(VaultItemSerializer),
        (*inf.VAULT, *inf.VAULT_SECRETS),
        {"id", "password_set", "secret_set", "references", "created_at", "updated_at"},
    ),
    ("admin level", meta_fields(LevelForm), (*af.LEVEL, *af.LEVEL_RELATIONS), set()),
    ("admin level integration", meta_fields(LevelIntegrationForm), ("integration", *inf.LINK), set()),
    ("admin integration", meta_fields(IntegrationForm), inf.INTEGRATION, set()),
    ("admin variable", meta_fields(VariableForm), (*inf.VARIABLE, *inf.VARIABLE_SECRETS), {"position"}),
    ("admin step", meta_fields(StepForm), (*inf.STEP, *inf.STEP_SECRETS), set()),
    (
        "admin StatusHub service",
        meta_fields(StatusHubServiceForm),
        (*inf.SERVICE, *inf.SERVICE_SECRETS),
        set(),
    ),
    ("admin function", meta_fields(FunctionForm), (*inf.FUNCTION, *inf.FUNCTION_SECRETS), {"position"}),
    ("admin vault item", meta_fields(VaultItemForm), (*inf.VAULT, *inf.VAULT_SECRETS), set()),
    ("config operator", spec.OPERATOR, af.OPERATOR, set()),
    ("config monitor", spec.MONITOR, af.MONITOR, set()),
    ("config level", spec.LEVEL, af.LEVEL, set()),
    ("config step", (*spec.STEP, *spec.STEP_SECRETS), (*inf.STEP, *inf.STEP_SECRETS), set()),
]


@pytest.mark.parametrize(("face", "fields", "canonical", "own"), FACES, ids=[f[0] for f in FACES])
def test_each_face_takes_the_one_field_list(
    face: str, fields: tuple[str, ...], canonical: tuple[str, ...], own: set[str]
) -> None:
    assert set(fields) - own == set(canonical), (
        f"{face}: fields {sorted(set(fields) - own - set(canonical))} are not in the field list, "
        f"{sorted(set(canonical) - set(fields))} are missing"
    )
    if face.startswith("API") and face.split()[1] in DECLARED:
        return  # a plain serializer's own order is the API document's
    # In the list's order (the document's, the form's); secrets sit where each face shows them.
    plain = [f for f in canonical if f not in SECRETS]
    assert [f for f in fields if f in plain] == plain
